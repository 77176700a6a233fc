import type { Clock } from '../ports/clock.js';
import type { StateStore } from '../ports/state-store.js';
import type { Logger } from '../shared/logger.js';
import type { ReviewNotifier } from './review-notifier.js';

export interface SendFollowUpsDeps {
  store: StateStore;
  notifier: ReviewNotifier;
  clock: Clock;
  logger: Logger;
}

/**
 * Reminds about open reviews whose reminder is due. Every replica may look; reminder n of a review is an
 * insert-once event, so exactly one replica sends it. Due dates are derived from the review's events, so
 * a snooze or a "reviewed" recorded before the check wins over it.
 */
export function createSendFollowUps(deps: SendFollowUpsDeps) {
  const { store, notifier, clock } = deps;
  return async function sendFollowUps(): Promise<number> {
    let sent = 0;
    for (const review of await store.reviews.listDue(clock.now())) {
      const now = clock.now();
      const n = review.followUps + 1;
      if (!(await store.reviews.record(review._id, { kind: 'reminder', n, at: now }))) continue;
      const log = deps.logger.child({ reviewId: review._id, deployment: review.deployment, channel: review.channel });
      try {
        const claimed = (await store.reviews.get(review._id)) ?? review;
        const ts = await notifier.reminderDue(claimed, n);
        await store.reviews.record(review._id, { kind: 'reminder-posted', n, ts, at: now });
        // The report's own line says when the next reminder comes: keep it true.
        await notifier.reviewChanged(claimed, { reminders: false });
        sent++;
        log.info({ reminder: n }, 'review reminder posted');
      } catch (error) {
        // Give the reminder back: the next check (any replica) tries again.
        await store.reviews.withdraw(review._id, `reminder-${n}`).catch(() => undefined);
        log.error({ err: error, reminder: n }, 'review reminder could not be posted');
      }
    }
    return sent;
  };
}
