import { bakeLockKey } from '../bake/bake-runner.js';
import type { StartBakeInput } from '../bake/start-bake.js';
import { AppError } from '../errors.js';
import type { ChatPort } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { StateStore } from '../ports/state-store.js';
import { type ButtonOrigin, notItsMessage } from '../shared/button-origin.js';
import type { Logger } from '../shared/logger.js';
import type { Reply } from '../shared/reply.js';
import { codeText, userMention } from '../slack/blocks/block-text.js';
import { refreshReviewMessages } from './review-messages.js';
import { addDays, isFromOwnMessage, isReviewId, type ReviewRecord, SNOOZE_DAYS } from './review-record.js';
import { formatLocal } from './zoned-time.js';

export interface ReviewDecisionDeps {
  store: StateStore;
  chat: ChatPort;
  clock: Clock;
  logger: Logger;
  /** The same start-bake use case as `/ami bake`. */
  startBake(input: StartBakeInput): Promise<Reply>;
}

export interface ReviewClick {
  userId: string;
  reviewId: string;
  /** The button's message: it must be the review's own or one of its reminders (isFromOwnMessage). */
  origin?: ButtonOrigin;
}

/** A double click, a retried delivery or a second admin sees what already happened; nothing changes. */
export function alreadyDecided(review: ReviewRecord): Reply {
  const at = (date: Date | undefined) => (date ? formatLocal(date, review.report.timeZone) : 'earlier');
  switch (review.status) {
    case 'reviewed':
      return {
        text: `This review was already marked reviewed by ${userMention(review.reviewed?.by)} (${at(review.reviewed?.at)}). Nothing changed.`,
      };
    case 'bake-started':
      return {
        text: `${userMention(review.bake?.by)} already started ${review.bake?.bakeId ?? 'a bake'} from this review. Nothing changed.`,
      };
    case 'starting-bake':
      return { text: `${userMention(review.bake?.by)} is already starting a bake from this review. Nothing changed.` };
    case 'superseded':
      return { text: 'This review was superseded by a newer one; use the buttons on the newest review.' };
    case 'open':
      return { text: 'This review is still open.' };
  }
}

/** Mark reviewed, Snooze 7 days and Start bake: each one insert-once event, so the first click wins. */
export function createReviewDecisions(deps: ReviewDecisionDeps) {
  const { store, clock } = deps;

  async function load({ reviewId, origin }: ReviewClick): Promise<ReviewRecord> {
    if (!isReviewId(reviewId)) throw new AppError('invalid_review_id', 'That button does not belong to an AMI review.');
    const review = await store.reviews.get(reviewId);
    if (!review)
      throw new AppError(
        'unknown_review',
        `No review ${codeText(reviewId.slice(0, 100))}; \`/ami review\` posts a new one.`,
      );
    if (origin && !isFromOwnMessage(review, origin)) {
      throw new AppError('not_its_message', notItsMessage(`the AMI review of ${review.deployment}`));
    }
    return review;
  }

  /** The answer for the loser of a race: what the winner did (or that it is happening right now). */
  async function lostRace(review: ReviewRecord): Promise<Reply> {
    const now = (await store.reviews.get(review._id)) ?? review;
    return now.status === 'open'
      ? { text: 'Another admin just acted on this review; nothing changed.' }
      : alreadyDecided(now);
  }

  async function close(review: ReviewRecord, outcome: 'reviewed' | 'bake', by: string): Promise<boolean> {
    return store.reviews.record(review._id, { kind: 'close', outcome, by, at: clock.now() });
  }

  async function refresh(id: string): Promise<void> {
    const review = await store.reviews.get(id);
    if (review) await refreshReviewMessages(deps, review);
  }

  async function markReviewed(input: ReviewClick): Promise<Reply> {
    const review = await load(input);
    if (review.status !== 'open') return alreadyDecided(review);
    if (!(await close(review, 'reviewed', input.userId))) return lostRace(review);
    await refresh(review._id);
    return { text: `Marked the AMI review of ${review.deployment} reviewed; no more reminders for it.` };
  }

  async function snoozeReview(input: ReviewClick): Promise<Reply> {
    const review = await load(input);
    if (review.status !== 'open') return alreadyDecided(review);
    const now = clock.now();
    const when = (date: Date) => formatLocal(date, review.report.timeZone);
    const until = addDays(now, SNOOZE_DAYS);
    const snooze = { kind: 'snooze', n: review.snoozes + 1, by: input.userId, at: now, until } as const;
    // A double click reads the same snooze count: its insert collides, so the reminder moves once.
    const recent = review.snoozed && now.getTime() - review.snoozed.at.getTime() < 60_000;
    if (recent || !(await store.reviews.record(review._id, snooze))) {
      const after = (await store.reviews.get(review._id)) ?? review;
      if (after.status !== 'open') return alreadyDecided(after);
      return {
        text: `Already snoozed by ${userMention(after.snoozed?.by)} until ${when(after.snoozed?.until ?? until)}.`,
      };
    }
    await refresh(review._id);
    return { text: `Snoozed the AMI review of ${review.deployment}: next reminder ${when(until)}.` };
  }

  async function startBakeFromReview(input: ReviewClick): Promise<Reply> {
    const review = await load(input);
    if (review.status !== 'open') return alreadyDecided(review);
    if (!(await close(review, 'bake', input.userId))) return lostRace(review);
    let reply: Reply;
    try {
      reply = await deps.startBake({
        userId: input.userId,
        channelId: review.channel,
        deployment: review.deployment,
        noReboot: false,
        note: `Started from AMI review ${review._id}`,
      });
    } catch (error) {
      // The bake did not start (one is running, no images, …): the review stays open, with its buttons.
      await store.reviews.withdraw(review._id, 'close');
      await refresh(review._id);
      throw error;
    }
    const bakeId = await store.locks.holderOf(bakeLockKey(review.deployment));
    await store.reviews.record(review._id, { kind: 'bake-started', ...(bakeId ? { bakeId } : {}), at: clock.now() });
    await refresh(review._id);
    return { text: `${reply.text} The AMI review of ${review.deployment} is closed.` };
  }

  return { markReviewed, snoozeReview, startBakeFromReview };
}
