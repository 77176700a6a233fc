import type { Config } from '../config.js';
import type { Logger } from '../shared/logger.js';
import { ACTION_IDS } from './action-ids.js';
import type { ActionRouter } from './action-router.js';
import { isAdmin } from './authorize.js';
import { answer, type UseCases } from './listeners.js';

type ReviewUseCases = Pick<UseCases, 'markReviewed' | 'snoozeReview' | 'startBakeFromReview'>;

/** The review's three buttons: ack, admins only, then one use case each (they are idempotent). */
export function registerReviewActions(
  actions: ActionRouter,
  deps: { config: Config; useCases: ReviewUseCases; logger: Logger },
) {
  const { config, useCases, logger } = deps;
  const buttons = [
    [ACTION_IDS.reviewDone, 'mark a review reviewed', useCases.markReviewed],
    [ACTION_IDS.reviewSnooze, 'snooze a review', useCases.snoozeReview],
    [ACTION_IDS.reviewStartBake, 'start a bake', useCases.startBakeFromReview],
  ] as const;
  for (const [actionId, what, useCase] of buttons) {
    actions.action(actionId, async ({ ack, body, action, respond }, origin) => {
      await ack();
      const userId = body.user.id;
      const reviewId = 'value' in action && typeof action.value === 'string' ? action.value : '';
      const log = logger.child({ userId, action: actionId, reviewId: reviewId.slice(0, 100) });
      if (!isAdmin(config, userId)) {
        log.info('review button refused');
        await answer(respond, log, async () => ({
          text: `:no_entry: Only ami-bot admins can ${what}. Nothing changed.`,
        }));
        return;
      }
      await answer(respond, log, () => useCase({ userId, reviewId, origin }));
    });
  }
}
