import { parsed, type Subcommand, usageError, valuesOf } from './subcommand.js';

export type ImagesCommand = { kind: 'images'; deployment?: string };

const USAGE = '/ami images [deployment]';
/** The configuration's pattern for deployment names (config-schema.ts). */
const DEPLOYMENT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const images: Subcommand<ImagesCommand> = {
  name: 'images',
  help: [
    {
      usage: USAGE,
      summary: 'every AMI the bakes made: age, snapshot size, what uses it, monthly cost estimate, orphans',
    },
  ],
  parse(words) {
    const args = valuesOf(words);
    if (args.length > 1) return usageError(`Usage: \`${USAGE}\`.`);
    const [deployment] = args;
    if (deployment === undefined) return parsed({ kind: 'images' });
    if (!DEPLOYMENT_NAME.test(deployment))
      return usageError(
        `A deployment name is lowercase letters, digits and dashes (as in the configuration). Usage: \`${USAGE}\`.`,
      );
    return parsed({ kind: 'images', deployment });
  },
  run(command, { useCases }) {
    return useCases.showImages(command.deployment === undefined ? {} : { deployment: command.deployment });
  },
};
