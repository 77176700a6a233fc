import type { ChatPort } from '../ports/chat.js';
import type { StateStore } from '../ports/state-store.js';
import type { Logger } from '../shared/logger.js';
import { reviewMessage, reviewReminderMessage } from '../slack/blocks/review-message.js';
import type { ReviewRecord } from './review-record.js';

/**
 * Re-renders a review's report and reminders after its state changed (reviewed, bake started, snoozed,
 * superseded). Best effort: the state is already saved, a failed chat.update only leaves an old button
 * that will answer with the current state when clicked.
 */
export async function refreshReviewMessages(
  deps: { chat: ChatPort; logger: Logger },
  review: ReviewRecord,
  options: { reminders?: boolean } = {},
): Promise<void> {
  const log = deps.logger.child({ reviewId: review._id, channel: review.channel });
  const updates: Array<Promise<void>> = [];
  if (review.messageTs) {
    updates.push(deps.chat.update({ channel: review.channel, ts: review.messageTs, ...reviewMessage(review) }));
  }
  if (options.reminders ?? true) {
    for (const reminder of review.reminders) {
      const message = reviewReminderMessage(review, reminder.n, undefined);
      updates.push(deps.chat.update({ channel: review.channel, ts: reminder.ts, ...message }));
    }
  }
  for (const result of await Promise.allSettled(updates)) {
    if (result.status === 'rejected') log.warn({ err: result.reason }, 'review: could not update a message');
  }
}

/** Strictly older (ties broken by id), so two reviews opened at once never close each other. */
const isOlder = (a: ReviewRecord, b: ReviewRecord) =>
  a.createdAt.getTime() < b.createdAt.getTime() || (a.createdAt.getTime() === b.createdAt.getTime() && a._id < b._id);

/** Closes every other open review of the deployment: one open review at a time, so one set of reminders. */
export async function supersedeOlderReviews(
  deps: { chat: ChatPort; logger: Logger; store: StateStore },
  review: ReviewRecord,
  now: Date,
): Promise<void> {
  for (const older of await deps.store.reviews.listOpen(review.deployment)) {
    if (older.status !== 'open' || !isOlder(older, review)) continue;
    const event = { kind: 'close', outcome: 'superseded', by: 'ami-bot', at: now, supersededBy: review._id } as const;
    if (!(await deps.store.reviews.record(older._id, event))) continue;
    const closed = await deps.store.reviews.get(older._id);
    if (closed) await refreshReviewMessages(deps, closed);
  }
}
