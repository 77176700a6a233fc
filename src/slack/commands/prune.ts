import { parsed, type Subcommand, usageError, valuesOf } from './subcommand.js';

export type PruneCommand = { kind: 'prune'; deployment?: string };

const USAGE = '/ami prune [deployment]';
/** The configuration's pattern for deployment names (config-schema.ts). */
const DEPLOYMENT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const prune: Subcommand<PruneCommand> = {
  name: 'prune',
  help: [
    {
      usage: USAGE,
      summary:
        'plan retiring superseded AMIs with their snapshots and the orphans (never one in use); a second person approves',
    },
  ],
  parse(words) {
    const args = valuesOf(words);
    if (args.length > 1) return usageError(`Usage: \`${USAGE}\`.`);
    const [deployment] = args;
    if (deployment === undefined) return parsed({ kind: 'prune' });
    if (!DEPLOYMENT_NAME.test(deployment))
      return usageError(
        `A deployment name is lowercase letters, digits and dashes (as in the configuration). Usage: \`${USAGE}\`.`,
      );
    return parsed({ kind: 'prune', deployment });
  },
  run(command, { caller, useCases }) {
    return useCases.planPrune({
      userId: caller.userId,
      channelId: caller.channelId,
      ...(command.deployment === undefined ? {} : { deployment: command.deployment }),
    });
  },
};
