import { optionalDeployment, parsed, type Subcommand } from './subcommand.js';

export type PruneCommand = { kind: 'prune'; deployment?: string };

const USAGE = '/ami prune [deployment]';

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
    const deployment = optionalDeployment(words, USAGE);
    if (!deployment.ok) return deployment;
    return parsed(deployment.value === undefined ? { kind: 'prune' } : { kind: 'prune', deployment: deployment.value });
  },
  run(command, { caller, useCases }) {
    return useCases.planPrune({
      userId: caller.userId,
      channelId: caller.channelId,
      ...(command.deployment === undefined ? {} : { deployment: command.deployment }),
    });
  },
};
