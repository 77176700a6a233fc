import type { Reply } from '../shared/reply.js';
import type { ReviewRecord } from './review-record.js';

/**
 * What the review tells people, said as intents. The Slack layer (src/slack/review-notifier.ts) turns each into
 * messages and mrkdwn; the review itself never writes markup, emoji or mentions.
 */
export interface ReviewNotifier {
  /** Posts the review's report with its buttons; answers the message's ts (its thread). */
  reviewOpened(review: ReviewRecord): Promise<string>;
  /** Posts reminder `n` of an open review (linking its report); answers the reminder's ts. */
  reminderDue(review: ReviewRecord, n: number): Promise<string>;
  /**
   * The review's state changed: show it on its report and (unless `reminders` is false) its reminders. Best
   * effort: the state is saved already, an old button answers with the current state when clicked.
   */
  reviewChanged(review: ReviewRecord, options?: { reminders?: boolean }): Promise<void>;
  /** The answer to the person who typed or clicked (an error's message too). */
  reply(answer: ReviewAnswer): Reply;
}

/** Every answer a review use case gives, as data. */
export type ReviewAnswer =
  | { kind: 'posted'; deployment: string; channel: string }
  | { kind: 'already-posted' | 'being-posted'; deployment: string }
  | { kind: 'unknown-deployment'; name?: string; configured: string[] }
  | { kind: 'not-a-review' }
  | { kind: 'unknown-review'; reviewId: string }
  | { kind: 'not-its-message'; deployment: string }
  /** The state of a review that is no longer open (or still open), for a click that changes nothing. */
  | { kind: 'already-decided'; review: ReviewRecord }
  | { kind: 'lost-race' }
  | { kind: 'marked-reviewed'; deployment: string }
  | { kind: 'snoozed'; deployment: string; until: Date; timeZone: string }
  | { kind: 'already-snoozed'; by?: string; until: Date; timeZone: string }
  /** The bake's own answer, then that the review is closed. */
  | { kind: 'bake-started'; deployment: string; bake: Reply };
