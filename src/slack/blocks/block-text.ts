import type { Block } from '../../ports/chat.js';
import { formatWhen } from '../../shared/format.js';

/** Slack's limits, with headroom: a section's text is ≤ 3,000 chars; messages near 13k chars fail. */
export const SECTION_MAX = 2_900;
export const CONTEXT_MAX = 1_900;

/**
 * Joins as many lines as fit in `max` chars and says how many were left out, so long lists (200 tiers)
 * never break a message and never vanish silently.
 */
export function fitLines(lines: readonly string[], max: number, more = (n: number) => `…and ${n} more`): string {
  let text = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const candidate = text === '' ? line : `${text}\n${line}`;
    const rest = lines.length - i - 1;
    const reserve = rest > 0 ? more(rest).length + 1 : 0;
    if (candidate.length + reserve > max) return `${text}${text === '' ? '' : '\n'}${more(lines.length - i)}`;
    text = candidate;
  }
  return text;
}

/** True when `fitLines` would leave lines out. */
export function isCut(lines: readonly string[], max: number): boolean {
  return lines.join('\n').length > max;
}

/** Splits lines into chunks of at most `max` chars each (a too-long line is cut). */
export function chunkLines(lines: readonly string[], max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const raw of lines) {
    const line = raw.length > max ? `${raw.slice(0, max - 1)}…` : raw;
    if (current !== '' && current.length + 1 + line.length > max) {
      chunks.push(current);
      current = '';
    }
    current = current === '' ? line : `${current}\n${line}`;
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

/** A wall-clock fallback in the configured zone, e.g. `2026-12-01 02:00 UTC`. */
export { formatWhen };

/** Slack shows `<!date^…>` in each reader's own time zone; the fallback is the configured zone. */
export function slackDate(at: Date, timeZone: string): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time}|${formatWhen(at, timeZone)}>`;
}

export const mrkdwnSection = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });

export const contextBlock = (...texts: string[]): Block => ({
  type: 'context',
  elements: texts.map((text) => ({ type: 'mrkdwn', text })),
});

/** What a running job's Cancel button says: on the button and its confirm, and what the dialog explains. */
export interface CancelButton {
  blockId: string;
  actionId: string;
  /** The job's id, which the click carries. */
  value: string;
  /** On the button and on the dialog's confirm, e.g. `Cancel bake`. */
  label: string;
  style?: 'danger';
  title: string;
  /** mrkdwn: what cancelling does. */
  body: string;
  /** The dialog's way out, e.g. `Keep baking`. */
  deny: string;
}

/** A running bake's or test's Cancel button, alone in its actions block, behind a confirm dialog. */
export function cancelButtonBlock(button: CancelButton): Block {
  return {
    type: 'actions',
    block_id: button.blockId,
    elements: [
      {
        type: 'button',
        action_id: button.actionId,
        ...(button.style ? { style: button.style } : {}),
        text: { type: 'plain_text', text: button.label },
        value: button.value,
        confirm: {
          title: { type: 'plain_text', text: button.title },
          text: { type: 'mrkdwn', text: button.body },
          confirm: { type: 'plain_text', text: button.label },
          deny: { type: 'plain_text', text: button.deny },
        },
      },
    ],
  };
}

/** Slack mrkdwn treats &, < and > specially: escape text that comes from outside (tier names, AMI names). */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Outside text as inline code: escaped, and a backtick in it cannot end the code span early. */
export function codeText(text: string): string {
  return `\`${escapeMrkdwn(text.replaceAll('`', "'"))}\``;
}

/** Slack user ids (`U…`, `W…` on Enterprise Grid) and channel ids (`C…`, `G…`, `D…`) as Slack issues them. */
const USER_ID = /^[UW][A-Z0-9]{2,30}$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,30}$/;

/**
 * A user mention rendered by us from an id (never from text): anything that is not a user id is shown
 * escaped, so no stored value can turn into `<!channel>` or a link.
 */
export function userMention(id: string | undefined): string {
  if (id === undefined) return 'someone';
  return USER_ID.test(id) ? `<@${id}>` : escapeMrkdwn(id);
}

/** A channel mention rendered from an id, like `userMention`. */
export function channelMention(id: string): string {
  return CHANNEL_ID.test(id) ? `<#${id}>` : escapeMrkdwn(id);
}

/**
 * Escapes text we composed around outside values, then renders as mentions only `<#id>` / `<@id>` of the ids
 * given (ours, passed as data and checked by pattern): outside text can at most name those same ids.
 */
export function escapeExceptMentions(text: string, ids: readonly (string | undefined)[]): string {
  let out = escapeMrkdwn(text);
  for (const id of ids) {
    if (id === undefined) continue;
    if (CHANNEL_ID.test(id)) {
      out = out.replaceAll(`&lt;#${id}&gt;`, `<#${id}>`);
      // The plain form of a channel (shared/text.ts plainText) is `#id`: shown as the channel too.
      out = out.replace(new RegExp(`(?<![<\\w])#${id}(?!\\w)`, 'g'), `<#${id}>`);
    }
    if (USER_ID.test(id)) out = out.replaceAll(`&lt;@${id}&gt;`, `<@${id}>`);
  }
  return out;
}

/**
 * Escapes, then cuts to `max` chars (escaping can make a text up to 5 times longer, so cutting first is not
 * enough to stay within Slack's limits), never leaving half an entity such as `&am` at the cut.
 */
export function escapeCut(text: string, max: number, note = '… (cut)'): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  const cut = escaped.slice(0, Math.max(0, max - note.length)).replace(/&[a-z]{0,3}$/, '');
  return `${cut}${note}`;
}
