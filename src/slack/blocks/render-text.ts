import type { Icon, Span, Text } from '../../shared/text.js';
import { channelMention, codeText, escapeMrkdwn, formatWhen, userMention } from './block-text.js';

/** How Slack shows each icon a feature can ask for. */
export const ICON_EMOJI: Record<Icon, string> = {
  ok: ':white_check_mark:',
  failed: ':x:',
  warning: ':warning:',
  cancelled: ':octagonal_sign:',
  waiting: ':hourglass_flowing_sand:',
  expired: ':hourglass:',
  resumed: ':arrows_counterclockwise:',
  forbidden: ':no_entry:',
  search: ':mag:',
  announce: ':mega:',
};

const SUBTEAM_ID = /^S[A-Z0-9]{2,30}$/;

function renderSpan(span: Span): string {
  switch (span.kind) {
    case 'words':
      return span.value;
    case 'outside':
      return escapeMrkdwn(span.value);
    case 'code':
      return codeText(span.value);
    case 'user':
      return userMention(span.id);
    case 'channel':
      return channelMention(span.id);
    case 'group':
      return SUBTEAM_ID.test(span.id) ? `<!subteam^${span.id}>` : escapeMrkdwn(span.id);
    case 'when':
      return formatWhen(span.at, span.timeZone);
    case 'link':
      // Only an https URL without mrkdwn's own delimiters becomes a link; the label is escaped either way.
      return /^https:\/\/[^\s<>|]+$/.test(span.url)
        ? `<${span.url}|${escapeMrkdwn(span.label)}>`
        : escapeMrkdwn(span.label);
    case 'icon':
      return ICON_EMOJI[span.icon];
  }
}

/**
 * A feature's text as Slack mrkdwn: the bot's words as written, every outside value escaped, users and
 * channels as mentions only when they are ids, so no stored value can become `<!channel>` or a link.
 */
export function renderMrkdwn(value: Text | string): string {
  if (typeof value === 'string') return escapeMrkdwn(value);
  return value.spans.map(renderSpan).join('');
}
