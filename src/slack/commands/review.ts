import { parsed, type Subcommand, usageError, valuesOf } from './subcommand.js';

export type ReviewCommand = { kind: 'review'; deployment?: string };

const USAGE = '/ami review [deployment]';

export const review: Subcommand<ReviewCommand> = {
  name: 'review',
  help: [{ usage: USAGE, summary: 'post the AMI review report (tiers, AMI ages, images in use) with its buttons' }],
  parse(words) {
    const args = valuesOf(words);
    if (args.length > 1) return usageError(`Usage: \`${USAGE}\`.`);
    return parsed(args[0] === undefined ? { kind: 'review' } : { kind: 'review', deployment: args[0] });
  },
  run(command, { caller, useCases }) {
    return useCases.openReview({
      trigger: 'command',
      userId: caller.userId,
      channelId: caller.channelId,
      ...(command.deployment === undefined ? {} : { deployment: command.deployment }),
    });
  },
};
