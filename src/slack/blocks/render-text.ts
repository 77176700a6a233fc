import type { Icon, Span, Text } from '../../shared/text.js';
import { channelMention, codeText, escapeMrkdwn, formatWhen, userMention } from './block-text.js';

/** How Slack shows each icon a feature can ask for. */
export const ICON_EMOJI: Record<Icon, string> = {
  ok: ':white_check_mark:',
  skipped: ':fast_forward:',
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

/** Slack cuts (or refuses) a message's text near 4,000 characters: answers and thread lines stay under it. */
export const MESSAGE_TEXT_MAX = 3_900;

/**
 * `renderMrkdwn`, cut at `max` characters without leaving half an entity (`&am`), half a mention or link
 * (`<@U0`), so a long list can never break the message.
 */
export function renderMrkdwnCut(value: Text | string, max = MESSAGE_TEXT_MAX, note = '…'): string {
  const rendered = renderMrkdwn(value);
  if (rendered.length <= max) return rendered;
  const cut = rendered
    .slice(0, Math.max(0, max - note.length))
    .replace(/&[a-z]{0,4}$/, '')
    .replace(/<[^>]*$/, '');
  return `${cut}${note}`;
}
