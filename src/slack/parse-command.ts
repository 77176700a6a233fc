import { codeText } from './blocks/block-text.js';
import {
  isRolloutSubcommand,
  parseCancelTest,
  parseRolloutCommand,
  ROLLOUT_SUBCOMMANDS,
  type RolloutCommand,
} from './parse-rollout-command.js';
import { isExactlyTyped, tokenizeWords, type Word } from './tokenize.js';

/** Every `/ami` subcommand, parsed; nothing here touches the outside world. */
export type ParsedCommand =
  | { kind: 'help' }
  | { kind: 'bake'; deployment?: string; images?: string[]; noReboot: boolean; note?: string }
  | { kind: 'status'; bakeId?: string }
  | { kind: 'cancel'; bakeId: string }
  | { kind: 'review'; deployment?: string }
  | RolloutCommand
  | { kind: 'unknown'; word: string }
  | { kind: 'invalid'; message: string };

export const SUBCOMMANDS = ['help', 'bake', 'status', 'cancel', 'review', ...ROLLOUT_SUBCOMMANDS] as const;

const MAX_TEXT = 4_000;
const MAX_NOTE = 500;

/** What was typed, echoed back inert (escaped, and a backtick in it cannot end the code span). */
const shown = (raw: string) => codeText(raw.slice(0, 120));

/**
 * The value of `--name value` or `--name=value`, with the text typed for it. Quotes around the whole of
 * `--name="a b"` or of the value are the admin's; the raw text excludes `--name=`.
 */
function optionValue(words: Word[], i: number): { value?: string; exact: boolean; raw: string; next: number } {
  const word = words[i]!;
  const eq = word.value.indexOf('=');
  if (eq >= 0) {
    const value = word.value.slice(eq + 1);
    const raw = word.raw.slice(word.raw.indexOf('=') + 1);
    const exact = isExactlyTyped(value, raw) || isExactlyTyped(word.value, word.raw);
    return { value, exact, raw, next: i };
  }
  const next = words[i + 1];
  return next
    ? { value: next.value, exact: isExactlyTyped(next.value, next.raw), raw: next.raw, next: i + 1 }
    : { exact: true, raw: '', next: i + 1 };
}

const notExact = (raw: string): ParsedCommand => ({
  kind: 'invalid',
  message: `${shown(raw)} has quotes inside it, so it would not be used as typed. Image references and deployment names cannot contain quotes: type them without quotes, or quote the whole list (\`--images "a:1,b:2"\`).`,
});

function parseBake(words: Word[]): ParsedCommand {
  let deployment: string | undefined;
  let images: string[] | undefined;
  let noReboot = false;
  let note: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const arg = word.value;
    if (arg === '--no-reboot') noReboot = true;
    else if (arg === '--images' || arg.startsWith('--images=')) {
      const { value, exact, raw, next } = optionValue(words, i);
      i = next;
      if (!value) return { kind: 'invalid', message: '`--images` needs a comma-separated list of image references.' };
      // What is pulled must be exactly what was typed: `x'id'` would silently become `xid`.
      if (!exact) return notExact(raw);
      images = value.split(',').map((ref) => ref.trim());
    } else if (arg === '--note' || arg.startsWith('--note=')) {
      // A note is free text: quotes inside it (`"don't"`) are the admin's words, nothing is run with it.
      const { value, next } = optionValue(words, i);
      i = next;
      if (value === undefined)
        return { kind: 'invalid', message: '`--note` needs a text, e.g. `--note "monthly refresh"`.' };
      if (value.length > MAX_NOTE)
        return { kind: 'invalid', message: `The note is longer than ${MAX_NOTE} characters.` };
      note = value;
    } else if (arg.startsWith('-')) {
      return {
        kind: 'invalid',
        message: `Unknown option ${shown(arg.slice(0, 40))} for \`/ami bake\`. See \`/ami help\`.`,
      };
    } else if (deployment === undefined) {
      if (!isExactlyTyped(arg, word.raw)) return notExact(word.raw);
      deployment = arg;
    } else
      return { kind: 'invalid', message: 'Give at most one deployment name; image references go after `--images`.' };
  }
  return {
    kind: 'bake',
    noReboot,
    ...(deployment === undefined ? {} : { deployment }),
    ...(images === undefined ? {} : { images }),
    ...(note === undefined ? {} : { note }),
  };
}

/** Parses the text after `/ami`. Unknown or malformed input is a value, never an exception. */
export function parseCommand(text: string): ParsedCommand {
  if (text.length > MAX_TEXT) return { kind: 'invalid', message: `The command is longer than ${MAX_TEXT} characters.` };
  const { words, unclosedQuote } = tokenizeWords(text.trim());
  if (unclosedQuote)
    return {
      kind: 'invalid',
      message: `A quote (${unclosedQuote}) is not closed, so the words after it cannot be read as typed. Close it; an apostrophe in a note goes inside double quotes (\`--note "don't"\`).`,
    };
  const [sub, ...args] = words.map((word) => word.value);
  switch (sub?.toLowerCase()) {
    case undefined:
    case 'help':
      return { kind: 'help' };
    case 'bake':
      return parseBake(words.slice(1));
    case 'status':
      if (args.length > 1) return { kind: 'invalid', message: 'Usage: `/ami status [bake-id]`.' };
      return args[0] === undefined ? { kind: 'status' } : { kind: 'status', bakeId: args[0] };
    case 'cancel':
      if (args.length !== 1) return { kind: 'invalid', message: 'Usage: `/ami cancel <bake-id|test-id>`.' };
      return parseCancelTest(args[0]!) ?? { kind: 'cancel', bakeId: args[0]! };
    case 'review':
      if (args.length > 1) return { kind: 'invalid', message: 'Usage: `/ami review [deployment]`.' };
      return args[0] === undefined ? { kind: 'review' } : { kind: 'review', deployment: args[0] };
    default: {
      const word = sub?.toLowerCase() ?? '';
      if (isRolloutSubcommand(word)) return parseRolloutCommand(word, args);
      return { kind: 'unknown', word: sub ?? '' };
    }
  }
}
