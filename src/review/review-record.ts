import { type ButtonOrigin, isClickOn } from '../shared/button-origin.js';
import type { ReviewReport } from './review-report.js';

/**
 * A review is opened by the schedule (or its catch-up on start, or `/ami review`), posted with buttons,
 * reminded about until someone acts, and closed by exactly one of: Mark reviewed, Start bake, or a newer
 * review of the same deployment. The document never changes after it is posted; what happens to it is a
 * list of insert-once events (see review-repo.ts) and its state is derived from them here.
 */

/** open → starting-bake → bake-started | open (bake refused);  open → reviewed | superseded. */
export type ReviewStatus = 'open' | 'starting-bake' | 'reviewed' | 'bake-started' | 'superseded';
export type ReviewTrigger = 'schedule' | 'catch-up' | 'command';

export interface ReviewDoc {
  _id: string;
  deployment: string;
  trigger: ReviewTrigger;
  /** The schedule tick this review belongs to (schedule and catch-up). */
  tick?: Date;
  /** Who asked, for `/ami review`. */
  requestedBy?: string;
  channel: string;
  messageTs?: string;
  maxFollowUps: number;
  followUpDays: number;
  report: ReviewReport;
  createdAt: Date;
}

export type ReviewEvent =
  | { kind: 'close'; outcome: 'reviewed' | 'bake' | 'superseded'; by: string; at: Date; supersededBy?: string }
  | { kind: 'bake-started'; bakeId?: string; at: Date }
  | { kind: 'reminder'; n: number; at: Date }
  | { kind: 'reminder-posted'; n: number; ts: string; at: Date }
  | { kind: 'snooze'; n: number; by: string; at: Date; until: Date };

/** At most one event per key and review: the key is what makes "first one wins". */
export function eventKey(event: ReviewEvent): string {
  switch (event.kind) {
    case 'close':
    case 'bake-started':
      return event.kind;
    case 'reminder':
      return `reminder-${event.n}`;
    case 'reminder-posted':
      return `reminder-${event.n}-posted`;
    case 'snooze':
      return `snooze-${event.n}`;
  }
}

/** What the events say about a review. */
export interface ReviewState {
  status: ReviewStatus;
  /** Reminders sent so far (claimed). */
  followUps: number;
  /** When the next reminder is due; absent when the review is closed or no more reminders are planned. */
  nextReminderAt?: Date;
  snoozes: number;
  snoozed?: { by: string; at: Date; until: Date };
  reviewed?: { by: string; at: Date };
  bake?: { by: string; at: Date; bakeId?: string };
  supersededBy?: string;
  /** Posted reminder messages, so closing the review can take their buttons away too. */
  reminders: Array<{ n: number; ts: string; at: Date }>;
}

/** The review as the use cases and builders see it: the document plus its derived state. */
export interface ReviewRecord extends ReviewDoc, ReviewState {}

/** The document fields the state depends on (the report is not one of them). */
type StateInput = Pick<ReviewDoc, 'createdAt' | 'maxFollowUps' | 'followUpDays'>;

export const SNOOZE_DAYS = 7;
/**
 * Only the newest reviews of a deployment are looked at for being open: a new review closes the older ones
 * (superseded), so an older one can only still be open after a crash in the middle of that, and is then
 * simply left alone instead of being reminded about.
 */
export const OPEN_SCAN_PER_DEPLOYMENT = 3;
const DAY_MS = 86_400_000;
export const addDays = (at: Date, days: number) => new Date(at.getTime() + days * DAY_MS);

const byN = <T extends { n: number }>(a: T, b: T) => a.n - b.n;

/** Pure: the state of a review from its events (any order). */
export function deriveReview<D extends StateInput>(doc: D, events: readonly ReviewEvent[]): D & ReviewState {
  const close = events.find((e) => e.kind === 'close');
  const started = events.find((e) => e.kind === 'bake-started');
  const reminders = events.flatMap((e) => (e.kind === 'reminder' ? [e] : [])).sort(byN);
  const posted = events.flatMap((e) => (e.kind === 'reminder-posted' ? [e] : [])).sort(byN);
  const snoozes = events.flatMap((e) => (e.kind === 'snooze' ? [e] : [])).sort(byN);
  let status: ReviewStatus = 'open';
  if (close?.outcome === 'reviewed') status = 'reviewed';
  else if (close?.outcome === 'superseded') status = 'superseded';
  else if (close?.outcome === 'bake') status = started ? 'bake-started' : 'starting-bake';
  const lastReminder = reminders[reminders.length - 1];
  const lastSnooze = snoozes[snoozes.length - 1];
  let next: Date | undefined;
  if (status === 'open') {
    // An explicit snooze asks for one more reminder at its end, even past the reminder budget.
    if (lastSnooze && (!lastReminder || lastSnooze.at >= lastReminder.at)) next = lastSnooze.until;
    else if (reminders.length < doc.maxFollowUps) next = addDays(lastReminder?.at ?? doc.createdAt, doc.followUpDays);
  }
  return {
    ...doc,
    status,
    followUps: reminders.length,
    ...(next ? { nextReminderAt: next } : {}),
    snoozes: snoozes.length,
    ...(lastSnooze ? { snoozed: { by: lastSnooze.by, at: lastSnooze.at, until: lastSnooze.until } } : {}),
    ...(close?.outcome === 'reviewed' ? { reviewed: { by: close.by, at: close.at } } : {}),
    ...(close?.outcome === 'bake'
      ? { bake: { by: close.by, at: close.at, ...(started?.bakeId ? { bakeId: started.bakeId } : {}) } }
      : {}),
    ...(close?.supersededBy ? { supersededBy: close.supersededBy } : {}),
    reminders: posted.map((p) => ({ n: p.n, ts: p.ts, at: p.at })),
  };
}

export const REVIEW_ID_PATTERN = /^review-[a-z0-9][a-z0-9-]{0,62}-\d{8}T\d{6}Z(?:-[a-z0-9]{4})?$/;

export function isReviewId(value: string): boolean {
  return REVIEW_ID_PATTERN.test(value);
}

/** 20261001T070000: to the second, so even a per-second test schedule gets one review per tick. */
const stamp = (at: Date) => at.toISOString().slice(0, 19).replaceAll('-', '').replaceAll(':', '');

/** One id per deployment and tick: a second replica (or a retry) opening the same tick collides on `_id`. */
export function reviewIdForTick(deployment: string, tick: Date): string {
  return `review-${deployment}-${stamp(tick)}Z`;
}

export function reviewIdForCommand(deployment: string, now: Date, random: () => number = Math.random): string {
  const suffix = Array.from({ length: 4 }, () => 'abcdefghjkmnpqrstuvwxyz23456789'[Math.floor(random() * 31)]).join('');
  return `review-${deployment}-${stamp(now)}Z-${suffix}`;
}

export function isReviewOpen(review: Pick<ReviewRecord, 'status'>): boolean {
  return review.status === 'open' || review.status === 'starting-bake';
}

/** An open review whose next reminder is due at `now`. */
export function isReminderDue(review: Pick<ReviewRecord, 'status' | 'nextReminderAt'>, now: Date): boolean {
  return (
    review.status === 'open' && review.nextReminderAt !== undefined && review.nextReminderAt.getTime() <= now.getTime()
  );
}

/** A button click came from the review's own message or one of its reminders (which carry the same buttons). */
export function isFromOwnMessage(
  review: Pick<ReviewRecord, 'channel' | 'messageTs' | 'reminders'>,
  origin: ButtonOrigin,
): boolean {
  return isClickOn(origin, {
    channel: review.channel,
    messages: [review.messageTs, ...review.reminders.map((r) => r.ts)],
  });
}
