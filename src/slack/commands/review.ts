import { optionalArg, parsed, type Subcommand } from './subcommand.js';

export type ReviewCommand = { kind: 'review'; deployment?: string };

const USAGE = '/ami review [deployment]';

export const review: Subcommand<ReviewCommand> = {
  name: 'review',
  help: [{ usage: USAGE, summary: 'post the AMI review report (tiers, AMI ages, images in use) with its buttons' }],
  parse(words) {
    const arg = optionalArg(words, USAGE);
    if (!arg.ok) return arg;
    return parsed(arg.value === undefined ? { kind: 'review' } : { kind: 'review', deployment: arg.value });
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
