import type { Block } from '../../ports/chat.js';
import type { AuditEntry } from '../../rollout/audit-record.js';
import { truncate } from '../../shared/format.js';
import {
  chunkLines,
  escapeExceptMentions,
  escapeMrkdwn,
  formatWhen,
  mrkdwnSection,
  SECTION_MAX,
  userMention,
} from './block-text.js';

const ICON: Record<AuditEntry['action'], string> = {
  'change.planned': ':clipboard:',
  'change.approved': ':white_check_mark:',
  'change.rejected': ':x:',
  'change.expired': ':hourglass:',
  'change.applied': ':rocket:',
  'change.apply-failed': ':boom:',
  'change.announced': ':mega:',
  'drain.listed': ':mag:',
  'drain.terminated': ':wastebasket:',
  'test.tier-switched': ':twisted_rightwards_arrows:',
  'test.tier-restored': ':leftwards_arrow_with_hook:',
  'test.finished': ':stopwatch:',
};

function beforeAfter(entry: AuditEntry): string {
  const keys = Object.keys(entry.after ?? entry.before ?? {});
  if (keys.length === 0) return '';
  const shown = keys
    .slice(0, 3)
    .map(
      (key) =>
        `${escapeMrkdwn(key)}: ${escapeMrkdwn(entry.before?.[key] ?? '—')} → ${escapeMrkdwn(entry.after?.[key] ?? '—')}`,
    );
  return `\n      ${shown.join('; ')}${keys.length > 3 ? `; +${keys.length - 3} more` : ''}`;
}

/** `/ami history`: the newest audit entries, who did what and when, with before → after (pure). */
export function historyMessage(entries: AuditEntry[], timeZone: string): { text: string; blocks?: Block[] } {
  if (entries.length === 0) return { text: 'No rollout history yet: nothing was tested, planned or applied.' };
  const lines = entries.map((entry) => {
    const subject = entry.changeId ?? entry.testId ?? '';
    const actor = entry.actor === 'ami-bot' ? 'ami-bot' : userMention(entry.actor);
    const summary = escapeExceptMentions(truncate(entry.summary, 200), entry.mentions ?? []);
    return `${ICON[entry.action]} ${formatWhen(entry.at, timeZone)} ${actor} *${entry.action}* ${escapeMrkdwn(subject)} (${entry.deployment}) — ${summary}${beforeAfter(entry)}`;
  });
  const sections = chunkLines(lines, SECTION_MAX).slice(0, 4);
  return {
    text: truncate(`Rollout history (newest first):\n${lines.join('\n')}`, 3_900),
    blocks: [mrkdwnSection(`*Rollout history* (newest first, times ${timeZone})`), ...sections.map(mrkdwnSection)],
  };
}
