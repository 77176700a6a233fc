import type { RolloutUseCases } from '../rollout/create-rollout.js';
import type { Reply } from '../shared/reply.js';
import type { Caller } from './authorize.js';
import type { RolloutCommand } from './parse-rollout-command.js';

/** The rollout's slash subcommands → one use case each (the caller is already authorised). */
export function dispatchRollout(parsed: RolloutCommand, caller: Caller, useCases: RolloutUseCases): Promise<Reply> {
  const { userId, channelId } = caller;
  switch (parsed.kind) {
    case 'test':
      return useCases.testAmi({ userId, channelId, target: parsed.target, ...(parsed.keep ? { keep: true } : {}) });
    case 'plan':
      return useCases.planRollout({
        userId,
        channelId,
        target: parsed.target,
        ...(parsed.at ? { at: parsed.at } : {}),
        ...(parsed.for ? { for: parsed.for } : {}),
        ...(parsed.until ? { until: parsed.until } : {}),
        ...(parsed.overrideTest === undefined ? {} : { overrideTest: parsed.overrideTest }),
      });
    case 'revert':
      return useCases.revertChange({ userId, channelId, changeId: parsed.changeId });
    case 'drain':
      return useCases.planDrain({ userId, changeId: parsed.changeId });
    case 'history':
      return useCases.rolloutHistory(parsed.limit === undefined ? {} : { limit: parsed.limit });
    case 'cancelTest':
      return useCases.cancelTest({ userId, testId: parsed.testId });
  }
}
