import type { Reply } from '../../shared/reply.js';
import { helpBlocks } from '../blocks/help-message.js';
import { tokenizeWords } from '../tokenize.js';
import { bake } from './bake.js';
import { cancel } from './cancel.js';
import { drain } from './drain.js';
import { history } from './history.js';
import { images } from './images.js';
import { plan } from './plan.js';
import { prune } from './prune.js';
import { revert } from './revert.js';
import { review } from './review.js';
import { status } from './status.js';
import { parsed, type Subcommand } from './subcommand.js';
import { suggest } from './suggest.js';
import { test } from './test.js';

type HelpCommand = { kind: 'help' };

const help: Subcommand<HelpCommand> = {
  name: 'help',
  help: [{ usage: '/ami help', summary: 'this list' }],
  // Whatever follows `help` is ignored: asking for help never fails.
  parse: () => parsed({ kind: 'help' }),
  run: async () => helpMessage(),
};

/** Every `/ami` subcommand, in the order `/ami help` lists them. Nothing else names the subcommands. */
const SUBCOMMANDS = [
  bake,
  suggest,
  status,
  cancel,
  review,
  test,
  plan,
  revert,
  drain,
  images,
  prune,
  history,
  help,
] as const;

type CommandOf<S> = S extends Subcommand<infer C> ? C : never;
/** Every `/ami` command, parsed; nothing here touches the outside world. */
export type Command = CommandOf<(typeof SUBCOMMANDS)[number]>;

export const COMMAND_TABLE: readonly Subcommand<Command>[] = SUBCOMMANDS;

/** Why the text runs nothing: its first word names no subcommand, or the rest is not what the subcommand takes. */
export type Refusal = { kind: 'unknown'; word: string } | { kind: 'invalid'; message: string };
export type ParsedCommand = Command | Refusal;

/** The text after `/ami`, read: the table's entry with the command its parser made, or the refusal. */
export type Invocation = { ok: true; entry: Subcommand<Command>; command: Command } | { ok: false; refusal: Refusal };

const MAX_TEXT = 4_000;

const invalid = (message: string): Invocation => ({ ok: false, refusal: { kind: 'invalid', message } });

/** Looks the first word up in the table and lets its entry parse the rest. Bad input is a value, never thrown. */
export function readCommand(text: string): Invocation {
  if (text.length > MAX_TEXT) return invalid(`The command is longer than ${MAX_TEXT} characters.`);
  const { words, unclosedQuote } = tokenizeWords(text.trim());
  if (unclosedQuote)
    return invalid(
      `A quote (${unclosedQuote}) is not closed, so the words after it cannot be read as typed. Close it; an apostrophe in a note goes inside double quotes (\`--note "don't"\`).`,
    );
  const [first, ...args] = words;
  // `/ami` alone is `/ami help`; names are matched in any case.
  const name = first === undefined ? help.name : first.value.toLowerCase();
  const entry = COMMAND_TABLE.find((candidate) => candidate.name === name);
  if (!entry) return { ok: false, refusal: { kind: 'unknown', word: first?.value ?? '' } };
  const result = entry.parse(args);
  return result.ok ? { ok: true, entry, command: result.value } : invalid(result.error.message);
}

/** Parses the text after `/ami` into a command or the reason it is refused (pure; what the parser tests read). */
export function parseCommand(text: string): ParsedCommand {
  const invocation = readCommand(text);
  return invocation.ok ? invocation.command : invocation.refusal;
}

/** The `/ami help` reply, listing every form of every subcommand in the table. */
export function helpMessage(prefix?: string): ReturnType<typeof helpBlocks> {
  return helpBlocks(
    COMMAND_TABLE.flatMap((entry) => entry.help),
    prefix,
  );
}

/** The answer to text that runs nothing: help after an unknown word, else the parser's message. */
export function refusalReply(refusal: Refusal): Reply {
  if (refusal.kind === 'unknown')
    return helpMessage(`:thinking_face: \`${refusal.word.slice(0, 40)}\` is not an ami-bot command; nothing was done.`);
  return { text: `:warning: ${refusal.message} Nothing was done.` };
}
