/** One word of a slash command: its value after quote removal, and the text the admin typed for it. */
export interface Word {
  value: string;
  /** The word exactly as typed, quotes included (smart quotes as typed). */
  raw: string;
}

export interface Tokens {
  words: Word[];
  /** The quote character left open at the end, if any: the last word then ran to the end of the text. */
  unclosedQuote?: string;
}

const isQuote = (char: string) => char === '"' || char === "'";

/**
 * Splits slash-command text into words, honouring "double", 'single' and Slack's “smart” quotes
 * (Slack clients often turn typed quotes into curly ones), and keeps each word's raw text so a caller can
 * refuse a value whose quotes changed it (an image reference must be exactly what the admin typed).
 */
export function tokenizeWords(text: string): Tokens {
  // Each smart quote is one UTF-16 unit, like its replacement: indices into `normalized` are indices into `text`.
  const normalized = text.replace(/[\u201C\u201D\u201E]/g, '"').replace(/[\u2018\u2019]/g, "'");
  const words: Word[] = [];
  let current = '';
  let quote: string | undefined;
  let start = -1;
  for (let i = 0; i < normalized.length; i++) {
    const char = normalized[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (isQuote(char)) {
      quote = char;
      if (start < 0) start = i;
    } else if (/\s/.test(char)) {
      if (start >= 0) words.push({ value: current, raw: text.slice(start, i) });
      current = '';
      start = -1;
    } else {
      current += char;
      if (start < 0) start = i;
    }
  }
  if (start >= 0) words.push({ value: current, raw: text.slice(start) });
  return quote ? { words, unclosedQuote: quote } : { words };
}

export function tokenize(text: string): string[] {
  return tokenizeWords(text).words.map((word) => word.value);
}

/**
 * True when quotes did not change the value: none typed, or one pair around the whole of it (`"a b"`).
 * `x'id'` (read as `xid`) is not exact.
 */
export function isExactlyTyped(value: string, raw: string): boolean {
  const normalized = raw.replace(/[\u201C\u201D\u201E]/g, '"').replace(/[\u2018\u2019]/g, "'");
  if (normalized === value) return true;
  const q = normalized[0]!;
  return isQuote(q) && normalized === `${q}${value}${q}` && !value.includes(q);
}
