import { formatWhen } from './format.js';

/**
 * Message text as meaning, not markup. A feature says "this is a user", "this is code", "this went wrong";
 * `slack/blocks/render-text.ts` decides how Slack shows it (mentions, backticks, emoji) and escapes every value
 * that came from outside. The literal parts of a `text` template are the bot's own words; every interpolated
 * string is outside text.
 */

/** What a line is about, shown by the chat as a symbol (an emoji in Slack). */
export type Icon =
  | 'ok'
  | 'skipped'
  | 'failed'
  | 'warning'
  | 'cancelled'
  | 'waiting'
  | 'expired'
  | 'resumed'
  | 'forbidden'
  | 'search'
  | 'announce';

export type Span =
  /** The bot's own words (a template's literal parts): shown as written. */
  | { readonly kind: 'words'; readonly value: string }
  /** Outside text (tier names, notes, command output, error messages): always escaped. */
  | { readonly kind: 'outside'; readonly value: string }
  /** An identifier or value to show as inline code. */
  | { readonly kind: 'code'; readonly value: string }
  | { readonly kind: 'user'; readonly id: string | undefined }
  | { readonly kind: 'channel'; readonly id: string }
  /** Everybody in a chat user group. */
  | { readonly kind: 'group'; readonly id: string }
  | { readonly kind: 'when'; readonly at: Date; readonly timeZone: string }
  /** A link to a message or page the chat gave us (a permalink), shown as its label. */
  | { readonly kind: 'link'; readonly url: string; readonly label: string }
  | { readonly kind: 'icon'; readonly icon: Icon };

export interface Text {
  readonly spans: readonly Span[];
}

export type TextValue = string | number | Span | Text;

export const isText = (value: unknown): value is Text =>
  typeof value === 'object' && value !== null && 'spans' in value;

function spansOf(value: TextValue): Span[] {
  if (typeof value === 'number') return [{ kind: 'outside', value: String(value) }];
  if (typeof value === 'string') return value === '' ? [] : [{ kind: 'outside', value }];
  if (isText(value)) return [...value.spans];
  return [value];
}

/** `text\`Bake ${id} failed: ${reason}\``: literals are the bot's words, values are outside text or spans. */
export function text(strings: TemplateStringsArray, ...values: TextValue[]): Text {
  const spans: Span[] = [];
  strings.forEach((literal, i) => {
    if (literal !== '') spans.push({ kind: 'words', value: literal });
    if (i < values.length) spans.push(...spansOf(values[i]!));
  });
  return { spans };
}

/** The bot's own words, from a constant or a composed sentence without outside values. */
export const words = (value: string): Text => ({ spans: value === '' ? [] : [{ kind: 'words', value }] });
export const outside = (value: string): Span => ({ kind: 'outside', value });
export const code = (value: string): Span => ({ kind: 'code', value });
export const user = (id: string | undefined): Span => ({ kind: 'user', id });
export const channel = (id: string): Span => ({ kind: 'channel', id });
export const group = (id: string): Span => ({ kind: 'group', id });
export const when = (at: Date, timeZone: string): Span => ({ kind: 'when', at, timeZone });
export const link = (url: string, label: string): Span => ({ kind: 'link', url, label });
export const icon = (name: Icon): Span => ({ kind: 'icon', icon: name });

export function joinText(parts: readonly TextValue[], separator: TextValue): Text {
  const spans: Span[] = [];
  parts.forEach((part, i) => {
    if (i > 0) spans.push(...spansOf(separator));
    spans.push(...spansOf(part));
  });
  return { spans };
}

export const isEmptyText = (value: Text): boolean => value.spans.length === 0;

/** Accepts a plain string (outside text) or a Text, for APIs that take either. */
export const asText = (value: string | Text): Text => (typeof value === 'string' ? { spans: spansOf(value) } : value);

/**
 * The text without any chat markup, for logs, error messages and records: code in backticks, users by id,
 * times in the configured zone, icons left out. Chat adapters never show this; they render the spans.
 */
export function plainText(value: Text | string): string {
  if (typeof value === 'string') return value;
  let out = '';
  let afterIcon = false;
  for (const span of value.spans) {
    const shown = plainSpan(span);
    out += afterIcon ? shown.replace(/^ /, '') : shown;
    afterIcon = span.kind === 'icon';
  }
  return out;
}

function plainSpan(span: Span): string {
  switch (span.kind) {
    case 'words':
    case 'outside':
      return span.value;
    case 'code':
      return `\`${span.value.replaceAll('`', "'")}\``;
    case 'user':
      return span.id ?? 'someone';
    case 'channel':
      return `#${span.id}`;
    case 'group':
      return `group ${span.id}`;
    case 'when':
      return formatWhen(span.at, span.timeZone);
    case 'link':
      return span.label;
    case 'icon':
      return '';
  }
}
