import { codeText } from '../blocks/block-text.js';
import { isExactlyTyped, type Word } from '../tokenize.js';
import { parsed, type Result, type Subcommand, type UsageError, usageError } from './subcommand.js';

export type BakeCommand = {
  kind: 'bake';
  deployment?: string;
  /** `--images auto`: chosen by the image selection (src/selection) instead of listed. */
  images?: string[] | 'auto';
  noReboot: boolean;
  note?: string;
};

const MAX_NOTE = 500;

/** What was typed, echoed back inert (escaped, and a backtick in it cannot end the code span). */
const shown = (raw: string) => codeText(raw.slice(0, 120));

/**
 * The value of `--name value` or `--name=value`, with the text typed for it. Quotes around the whole of
 * `--name="a b"` or of the value are the admin's; the raw text excludes `--name=`.
 */
function optionValue(words: readonly Word[], i: number): { value?: string; exact: boolean; raw: string; next: number } {
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

const notExact = (raw: string) =>
  usageError(
    `${shown(raw)} has quotes inside it, so it would not be used as typed. Image references and deployment names cannot contain quotes: type them without quotes, or quote the whole list (\`--images "a:1,b:2"\`).`,
  );

function parseBake(words: readonly Word[]): Result<BakeCommand, UsageError> {
  let deployment: string | undefined;
  let images: string[] | 'auto' | undefined;
  let noReboot = false;
  let note: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const arg = word.value;
    if (arg === '--no-reboot') noReboot = true;
    else if (arg === '--images' || arg.startsWith('--images=')) {
      const { value, exact, raw, next } = optionValue(words, i);
      i = next;
      if (!value) return usageError('`--images` needs a comma-separated list of image references.');
      // What is pulled must be exactly what was typed: `x'id'` would silently become `xid`.
      if (!exact) return notExact(raw);
      const list = value.split(',').map((ref) => ref.trim());
      // `auto` is the choice from usage, never an image named `auto` (docker.io/library/auto): alone, or refused.
      if (list.length > 1 && list.some((ref) => ref.toLowerCase() === 'auto')) {
        return usageError(
          '`--images auto` chooses the images from what Domino’s users run; it cannot be combined with references. Give `--images auto` alone, or a list of references without `auto`.',
        );
      }
      images = list.length === 1 && list[0]!.toLowerCase() === 'auto' ? 'auto' : list;
    } else if (arg === '--note' || arg.startsWith('--note=')) {
      // A note is free text: quotes inside it (`"don't"`) are the admin's words, nothing is run with it.
      const { value, next } = optionValue(words, i);
      i = next;
      if (value === undefined) return usageError('`--note` needs a text, e.g. `--note "monthly refresh"`.');
      if (value.length > MAX_NOTE) return usageError(`The note is longer than ${MAX_NOTE} characters.`);
      note = value;
    } else if (arg.startsWith('-')) {
      return usageError(`Unknown option ${shown(arg.slice(0, 40))} for \`/ami bake\`. See \`/ami help\`.`);
    } else if (deployment === undefined) {
      if (!isExactlyTyped(arg, word.raw)) return notExact(word.raw);
      deployment = arg;
    } else return usageError('Give at most one deployment name; image references go after `--images`.');
  }
  return parsed({
    kind: 'bake',
    noReboot,
    ...(deployment === undefined ? {} : { deployment }),
    ...(images === undefined ? {} : { images }),
    ...(note === undefined ? {} : { note }),
  });
}

export const bake: Subcommand<BakeCommand> = {
  name: 'bake',
  help: [
    {
      usage: '/ami bake [deployment] [--images a,b] [--no-reboot] [--note "text"]',
      summary: 'bake a new AMI from the executor (or EKS node) template',
    },
    {
      usage: '/ami bake [deployment] --images auto',
      summary: "bake the images Domino's users run most, chosen under the disk budget (shown in the thread)",
    },
  ],
  parse: parseBake,
  run({ kind: _kind, images, ...options }, { caller, useCases }) {
    const who = { userId: caller.userId, channelId: caller.channelId };
    if (images === 'auto') return useCases.startAutoBake({ ...options, ...who });
    return useCases.startBake({ ...options, ...(images ? { images } : {}), ...who });
  },
};
