import { bakeLockKey } from '../bake/bake-runner.js';
import type { StartBakeInput } from '../bake/start-bake.js';
import { AppError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { StateStore } from '../ports/state-store.js';
import type { ButtonOrigin } from '../shared/button-origin.js';
import type { Logger } from '../shared/logger.js';
import type { Reply } from '../shared/reply.js';
import type { ReviewNotifier } from './review-notifier.js';
import { addDays, isFromOwnMessage, isReviewId, type ReviewRecord, SNOOZE_DAYS } from './review-record.js';

export interface ReviewDecisionDeps {
  store: StateStore;
  notifier: ReviewNotifier;
  clock: Clock;
  logger: Logger;
  /** The same start-bake use case as `/ami bake`. */
  startBake(input: StartBakeInput): Promise<Reply>;
  /**
   * `/ami bake --images auto`'s use case: a review that showed suggested images bakes the suggestion (chosen again
   * from the latest runs, or the configured list when it cannot be), not the list its section argued against.
   */
  startAutoBake?(input: Omit<StartBakeInput, 'images' | 'threadMessages'>): Promise<Reply>;
}

export interface ReviewClick {
  userId: string;
  reviewId: string;
  /** The button's message: it must be the review's own or one of its reminders (isFromOwnMessage). */
  origin?: ButtonOrigin;
}

/** Mark reviewed, Snooze 7 days and Start bake: each one insert-once event, so the first click wins. */
export function createReviewDecisions(deps: ReviewDecisionDeps) {
  const { store, clock, notifier } = deps;
  const say = notifier.reply;
  /** A double click, a retried delivery or a second admin sees what already happened; nothing changes. */
  const alreadyDecided = (review: ReviewRecord) => say({ kind: 'already-decided', review });

  async function load({ reviewId, origin }: ReviewClick): Promise<ReviewRecord> {
    if (!isReviewId(reviewId)) throw new AppError('invalid_review_id', say({ kind: 'not-a-review' }).text);
    const review = await store.reviews.get(reviewId);
    if (!review) throw new AppError('unknown_review', say({ kind: 'unknown-review', reviewId }).text);
    if (origin && !isFromOwnMessage(review, origin)) {
      throw new AppError('not_its_message', say({ kind: 'not-its-message', deployment: review.deployment }).text);
    }
    return review;
  }

  /** The answer for the loser of a race: what the winner did (or that it is happening right now). */
  async function lostRace(review: ReviewRecord): Promise<Reply> {
    const now = (await store.reviews.get(review._id)) ?? review;
    return now.status === 'open' ? say({ kind: 'lost-race' }) : alreadyDecided(now);
  }

  async function close(review: ReviewRecord, outcome: 'reviewed' | 'bake', by: string): Promise<boolean> {
    return store.reviews.record(review._id, { kind: 'close', outcome, by, at: clock.now() });
  }

  async function refresh(id: string): Promise<void> {
    const review = await store.reviews.get(id);
    if (review) await notifier.reviewChanged(review);
  }

  async function markReviewed(input: ReviewClick): Promise<Reply> {
    const review = await load(input);
    if (review.status !== 'open') return alreadyDecided(review);
    if (!(await close(review, 'reviewed', input.userId))) return lostRace(review);
    await refresh(review._id);
    return say({ kind: 'marked-reviewed', deployment: review.deployment });
  }

  async function snoozeReview(input: ReviewClick): Promise<Reply> {
    const review = await load(input);
    if (review.status !== 'open') return alreadyDecided(review);
    const now = clock.now();
    const { timeZone } = review.report;
    const until = addDays(now, SNOOZE_DAYS);
    const snooze = { kind: 'snooze', n: review.snoozes + 1, by: input.userId, at: now, until } as const;
    // A double click reads the same snooze count: its insert collides, so the reminder moves once.
    const recent = review.snoozed && now.getTime() - review.snoozed.at.getTime() < 60_000;
    if (recent || !(await store.reviews.record(review._id, snooze))) {
      const after = (await store.reviews.get(review._id)) ?? review;
      if (after.status !== 'open') return alreadyDecided(after);
      const by = after.snoozed?.by;
      return say({ kind: 'already-snoozed', ...(by ? { by } : {}), until: after.snoozed?.until ?? until, timeZone });
    }
    await refresh(review._id);
    return say({ kind: 'snoozed', deployment: review.deployment, until, timeZone });
  }

  async function startBakeFromReview(input: ReviewClick): Promise<Reply> {
    const review = await load(input);
    if (review.status !== 'open') return alreadyDecided(review);
    if (!(await close(review, 'bake', input.userId))) return lostRace(review);
    let reply: Reply;
    try {
      const bake = {
        userId: input.userId,
        channelId: review.channel,
        deployment: review.deployment,
        noReboot: false,
        note: `Started from AMI review ${review._id}`,
      };
      reply =
        review.report.suggestedImages && deps.startAutoBake
          ? await deps.startAutoBake(bake)
          : await deps.startBake(bake);
    } catch (error) {
      // The bake did not start (one is running, no images, …): the review stays open, with its buttons.
      await store.reviews.withdraw(review._id, 'close');
      await refresh(review._id);
      throw error;
    }
    const bakeId = await store.locks.holderOf(bakeLockKey(review.deployment));
    await store.reviews.record(review._id, { kind: 'bake-started', ...(bakeId ? { bakeId } : {}), at: clock.now() });
    await refresh(review._id);
    return say({ kind: 'bake-started', deployment: review.deployment, bake: reply });
  }

  return { markReviewed, snoozeReview, startBakeFromReview };
}
