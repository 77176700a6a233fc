import {
  isRolloutSubcommand,
  parseCancelTest,
  parseRolloutCommand,
  ROLLOUT_SUBCOMMANDS,
  type RolloutCommand,
} from './parse-rollout-command.js';
import { tokenize } from './tokenize.js';

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

function parseBake(args: string[]): ParsedCommand {
  let deployment: string | undefined;
  let images: string[] | undefined;
  let noReboot = false;
  let note: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--no-reboot') noReboot = true;
    else if (arg === '--images' || arg.startsWith('--images=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      if (!value) return { kind: 'invalid', message: '`--images` needs a comma-separated list of image references.' };
      images = value.split(',').map((ref) => ref.trim());
    } else if (arg === '--note' || arg.startsWith('--note=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      if (value === undefined)
        return { kind: 'invalid', message: '`--note` needs a text, e.g. `--note "monthly refresh"`.' };
      if (value.length > MAX_NOTE)
        return { kind: 'invalid', message: `The note is longer than ${MAX_NOTE} characters.` };
      note = value;
    } else if (arg.startsWith('-')) {
      return {
        kind: 'invalid',
        message: `Unknown option \`${arg.slice(0, 40)}\` for \`/ami bake\`. See \`/ami help\`.`,
      };
    } else if (deployment === undefined) deployment = arg;
    else return { kind: 'invalid', message: 'Give at most one deployment name; image references go after `--images`.' };
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
  const [sub, ...args] = tokenize(text.trim());
  switch (sub?.toLowerCase()) {
    case undefined:
    case 'help':
      return { kind: 'help' };
    case 'bake':
      return parseBake(args);
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
