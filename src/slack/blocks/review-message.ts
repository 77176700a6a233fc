import type { Block } from '../../ports/chat.js';
import type { ReviewRecord } from '../../review/review-record.js';
import { SNOOZE_DAYS } from '../../review/review-record.js';
import { formatLocal } from '../../review/zoned-time.js';
import { plural, truncate } from '../../shared/format.js';
import { targetNoun } from '../../shared/target-noun.js';
import { ACTION_IDS } from '../action-ids.js';
import { userMention } from './block-text.js';
import {
  adviceSection,
  bakeSection,
  environmentSections,
  inventorySections,
  OLD_AMI_DAYS,
  suggestedImagesSections,
  testSection,
  tierSections,
} from './review-sections.js';

/** The review message and its reminders (pure): state in, Block Kit out. */

type ReviewView = ReviewRecord;

const when = (review: ReviewView, at: Date) => formatLocal(at, review.report.timeZone);

function intro(review: ReviewView): string {
  const name = `*${review.deployment}*`;
  if (review.trigger === 'command')
    return `:mag: AMI review of ${name}, requested by ${userMention(review.requestedBy)}.`;
  const tick = review.tick ? when(review, review.tick) : when(review, review.createdAt);
  const late = review.trigger === 'catch-up' ? ' Posted late: ami-bot was not running at that time.' : '';
  return `:calendar: Time for the quarterly review of ${name}'s ${targetNoun(review.report.kind).ami}s (scheduled for ${tick}).${late}`;
}

/** One line: how many tiers (or node groups), the oldest standard AMI, what is not cached. */
export function reviewSummary(review: ReviewView): string {
  const { report } = review;
  const noun = targetNoun(report.kind);
  const parts: string[] = [];
  if (report.tiers) {
    const standard = report.tiers.filter((t) => t.kind === 'standard');
    parts.push(
      `${plural(report.tiers.length, noun.short, noun.shortMany)}: ${standard.length} standard, ${report.tiers.length - standard.length} special`,
    );
    const oldest = Math.max(-1, ...standard.map((t) => t.ageDays ?? -1));
    if (oldest >= 0)
      parts.push(`oldest standard AMI ${plural(oldest, 'day')} old${oldest > OLD_AMI_DAYS ? ' :warning:' : ''}`);
  }
  const missing = (report.environments ?? []).filter((e) => e.cached === false).length;
  if (missing > 0) parts.push(`${plural(missing, 'environment')} in use not on the AMI`);
  return parts.join('; ');
}

/** What happens next, or who closed it. */
export function reviewStateLine(review: ReviewView): string {
  switch (review.status) {
    case 'reviewed':
      return `:white_check_mark: Marked reviewed by ${userMention(review.reviewed?.by)} on ${when(review, review.reviewed?.at ?? review.createdAt)}.`;
    case 'bake-started':
      return `:hammer_and_wrench: ${userMention(review.bake?.by)} started ${review.bake?.bakeId ? `bake \`${review.bake.bakeId}\`` : 'a bake'} from this review on ${when(review, review.bake?.at ?? review.createdAt)}.`;
    case 'starting-bake':
      return `:hourglass_flowing_sand: ${userMention(review.bake?.by)} is starting a bake from this review…`;
    case 'superseded':
      return ':arrows_counterclockwise: Superseded by a newer review of this deployment.';
    case 'open': {
      const snoozed = review.snoozed ? `Snoozed by ${userMention(review.snoozed.by)}. ` : '';
      if (!review.nextReminderAt) return `${snoozed}No more reminders are planned for this review.`;
      const number = review.followUps + 1;
      const of = number <= review.maxFollowUps ? ` (reminder ${number} of ${review.maxFollowUps})` : '';
      return `${snoozed}If nobody marks this reviewed or starts a bake, I'll remind this channel on ${when(review, review.nextReminderAt)}${of}.`;
    }
  }
}

export function reviewActions(review: Pick<ReviewRecord, '_id' | 'deployment' | 'report'>): Block {
  const images = review.report.bakeImages.length;
  return {
    type: 'actions',
    block_id: `review:${review._id}`,
    elements: [
      {
        type: 'button',
        action_id: ACTION_IDS.reviewStartBake,
        style: 'primary',
        text: { type: 'plain_text', text: 'Start bake' },
        value: review._id,
        confirm: {
          title: { type: 'plain_text', text: 'Start a bake?' },
          text: {
            type: 'mrkdwn',
            text: truncate(
              review.report.suggestedImages
                ? `Bake a new ${targetNoun(review.report.kind).ami} of ${review.deployment} with the suggested images, chosen again from the latest runs (its ${plural(images, 'configured image')} if they cannot be). This closes the review.`
                : `Bake a new ${targetNoun(review.report.kind).ami} of ${review.deployment} with its ${plural(images, 'configured image')}. This closes the review.`,
              290,
            ),
          },
          confirm: { type: 'plain_text', text: 'Start bake' },
          deny: { type: 'plain_text', text: 'Not now' },
        },
      },
      {
        type: 'button',
        action_id: ACTION_IDS.reviewSnooze,
        text: { type: 'plain_text', text: `Snooze ${SNOOZE_DAYS} days` },
        value: review._id,
      },
      {
        type: 'button',
        action_id: ACTION_IDS.reviewDone,
        text: { type: 'plain_text', text: 'Mark reviewed' },
        value: review._id,
      },
    ],
  };
}

const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });

/** The full review message; buttons only while it is open. */
export function reviewMessage(review: ReviewView): { text: string; blocks: Block[] } {
  const summary = reviewSummary(review);
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`AMI review · ${review.deployment}`, 150) } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(`${intro(review)}${summary ? `\n${summary}.` : ''}`, 2_900) },
    },
    ...tierSections(review.report),
    bakeSection(review.report),
    testSection(review.report),
    ...inventorySections(review.report),
    ...environmentSections(review.report),
    ...suggestedImagesSections(review.report),
    adviceSection(review.report),
    { type: 'divider' },
    context(reviewStateLine(review)),
  ];
  if (review.status === 'open') blocks.push(reviewActions(review));
  const text = truncate(`AMI review of ${review.deployment}${summary ? `: ${summary}` : ''}`, 3_000);
  return { text, blocks };
}

/** A reminder in the channel: short, with the same buttons while the review is open. */
export function reviewReminderMessage(
  review: ReviewView,
  number: number,
  link: string | undefined,
): { text: string; blocks: Block[] } {
  // The permalink comes from Slack; a value that could break out of the link markup is not used.
  const report = link && /^https:\/\/[^\s<>|]+$/.test(link) ? `<${link}|the report>` : 'the report above';
  const state = review.status === 'open' ? 'is still open' : 'is closed';
  const text = `:bell: Reminder ${number}: the AMI review of *${review.deployment}* (opened ${when(review, review.createdAt)}) ${state}. See ${report}.`;
  const summary = reviewSummary(review);
  const blocks: Block[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`${text}${summary ? `\n${summary}.` : ''}`, 2_900) } },
    context(reviewStateLine(review)),
  ];
  if (review.status === 'open') blocks.push(reviewActions(review));
  return { text: truncate(text, 3_000), blocks };
}
