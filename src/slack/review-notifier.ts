import type { ChatPort } from '../ports/chat.js';
import type { ReviewAnswer, ReviewNotifier } from '../review/review-notifier.js';
import type { ReviewRecord } from '../review/review-record.js';
import { formatLocal } from '../review/zoned-time.js';
import { notItsMessage } from '../shared/button-origin.js';
import type { Logger } from '../shared/logger.js';
import type { Reply } from '../shared/reply.js';
import { channelMention, codeText, userMention } from './blocks/block-text.js';
import { reviewMessage, reviewReminderMessage } from './blocks/review-message.js';

/** A click on a review that is not open (or a double click on an open one): what already happened. */
function decidedText(review: ReviewRecord): string {
  const at = (date: Date | undefined) => (date ? formatLocal(date, review.report.timeZone) : 'earlier');
  switch (review.status) {
    case 'reviewed':
      return `This review was already marked reviewed by ${userMention(review.reviewed?.by)} (${at(review.reviewed?.at)}). Nothing changed.`;
    case 'bake-started':
      return `${userMention(review.bake?.by)} already started ${review.bake?.bakeId ?? 'a bake'} from this review. Nothing changed.`;
    case 'starting-bake':
      return `${userMention(review.bake?.by)} is already starting a bake from this review. Nothing changed.`;
    case 'superseded':
      return 'This review was superseded by a newer one; use the buttons on the newest review.';
    case 'open':
      return 'This review is still open.';
  }
}

/** The review's answers in mrkdwn (pure): outside text escaped, ids as mentions. */
export function reviewReply(answer: ReviewAnswer): Reply {
  switch (answer.kind) {
    case 'posted':
      return { text: `Posted the AMI review of ${answer.deployment} in ${channelMention(answer.channel)}.` };
    case 'already-posted':
      return { text: `The review of ${answer.deployment} for this tick is already posted.` };
    case 'being-posted':
      return { text: `The review of ${answer.deployment} for this tick is already being posted.` };
    case 'unknown-deployment': {
      const names = answer.configured.map((name) => `\`${name}\``).join(', ');
      return {
        text:
          answer.name === undefined
            ? `Several deployments are configured (${names}): say which, e.g. \`/ami review ${answer.configured[0]}\`.`
            : `Unknown deployment ${codeText(answer.name.slice(0, 64))}. Configured: ${names}.`,
      };
    }
    case 'not-a-review':
      return { text: 'That button does not belong to an AMI review.' };
    case 'unknown-review':
      return { text: `No review ${codeText(answer.reviewId.slice(0, 100))}; \`/ami review\` posts a new one.` };
    case 'not-its-message':
      return { text: notItsMessage(`the AMI review of ${answer.deployment}`) };
    case 'already-decided':
      return { text: decidedText(answer.review) };
    case 'lost-race':
      return { text: 'Another admin just acted on this review; nothing changed.' };
    case 'marked-reviewed':
      return { text: `Marked the AMI review of ${answer.deployment} reviewed; no more reminders for it.` };
    case 'snoozed':
      return {
        text: `Snoozed the AMI review of ${answer.deployment}: next reminder ${formatLocal(answer.until, answer.timeZone)}.`,
      };
    case 'already-snoozed':
      return {
        text: `Already snoozed by ${userMention(answer.by)} until ${formatLocal(answer.until, answer.timeZone)}.`,
      };
    case 'bake-started':
      return { text: `${answer.bake.text} The AMI review of ${answer.deployment} is closed.` };
  }
}

/** The review's notifier on Slack: today's pure builders, posted and updated through the chat port. */
export function createSlackReviewNotifier(deps: { chat: ChatPort; logger: Logger }): ReviewNotifier {
  const { chat } = deps;
  return {
    async reviewOpened(review) {
      return (await chat.post({ channel: review.channel, ...reviewMessage(review) })).ts;
    },
    async reminderDue(review, n) {
      const link = review.messageTs ? await chat.permalink(review.channel, review.messageTs) : undefined;
      return (await chat.post({ channel: review.channel, ...reviewReminderMessage(review, n, link) })).ts;
    },
    async reviewChanged(review, options = {}) {
      const log = deps.logger.child({ reviewId: review._id, channel: review.channel });
      const updates: Array<Promise<void>> = [];
      if (review.messageTs) {
        updates.push(chat.update({ channel: review.channel, ts: review.messageTs, ...reviewMessage(review) }));
      }
      if (options.reminders ?? true) {
        for (const reminder of review.reminders) {
          const message = reviewReminderMessage(review, reminder.n, undefined);
          updates.push(chat.update({ channel: review.channel, ts: reminder.ts, ...message }));
        }
      }
      for (const result of await Promise.allSettled(updates)) {
        if (result.status === 'rejected') log.warn({ err: result.reason }, 'review: could not update a message');
      }
    },
    reply: reviewReply,
  };
}
