import { optionalDeployment, parsed, type Subcommand } from './subcommand.js';

export type ImagesCommand = { kind: 'images'; deployment?: string };

const USAGE = '/ami images [deployment]';

export const images: Subcommand<ImagesCommand> = {
  name: 'images',
  help: [
    {
      usage: USAGE,
      summary: 'every AMI the bakes made: age, snapshot size, what uses it, monthly cost estimate, orphans',
    },
  ],
  parse(words) {
    const deployment = optionalDeployment(words, USAGE);
    if (!deployment.ok) return deployment;
    return parsed(
      deployment.value === undefined ? { kind: 'images' } : { kind: 'images', deployment: deployment.value },
    );
  },
  run(command, { useCases }) {
    return useCases.showImages(command.deployment === undefined ? {} : { deployment: command.deployment });
  },
};
