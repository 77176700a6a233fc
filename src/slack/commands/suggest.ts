import { optionalDeployment, parsed, type Subcommand } from './subcommand.js';

export type SuggestCommand = { kind: 'suggest'; deployment?: string };

const USAGE = '/ami suggest [deployment]';

export const suggest: Subcommand<SuggestCommand> = {
  name: 'suggest',
  help: [
    {
      usage: USAGE,
      summary:
        'the images `--images auto` would bake now: chosen, left out and why, the diff with the current AMI; bakes nothing',
    },
  ],
  parse(words) {
    const deployment = optionalDeployment(words, USAGE);
    if (!deployment.ok) return deployment;
    return parsed(
      deployment.value === undefined ? { kind: 'suggest' } : { kind: 'suggest', deployment: deployment.value },
    );
  },
  run(command, { useCases }) {
    return useCases.previewImages(command.deployment === undefined ? {} : { deployment: command.deployment });
  },
};
