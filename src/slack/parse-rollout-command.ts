import { isBakeId } from '../bake/bake-record.js';
import { isTestId } from '../rollout/ami-test-record.js';
import { isChangeId } from '../rollout/change-record.js';
import { isAmiId } from '../rollout/classify-tiers.js';
import { overrideReasonRefusal } from '../rollout/rollout-gate.js';
import { codeText } from './blocks/block-text.js';

/** The rollout's `/ami` subcommands. Ids are checked against their pattern here, before any lookup. */
export type RolloutCommand =
  | { kind: 'test'; target: string; keep?: boolean }
  | { kind: 'plan'; target: string; at?: string; for?: string; until?: string; overrideTest?: string }
  | { kind: 'revert'; changeId: string }
  | { kind: 'drain'; changeId: string }
  | { kind: 'history'; limit?: number }
  | { kind: 'cancelTest'; testId: string };

export const ROLLOUT_SUBCOMMANDS = ['test', 'plan', 'revert', 'drain', 'history'] as const;

type Invalid = { kind: 'invalid'; message: string };

const invalid = (message: string): Invalid => ({ kind: 'invalid', message });
/** What was typed, echoed back inert. */
const shown = (value: string) => codeText(value.slice(0, 40));

function target(value: string | undefined, usage: string): string | Invalid {
  if (value === undefined) return invalid(`Usage: \`${usage}\`.`);
  if (!isBakeId(value) && !isAmiId(value)) {
    return invalid(`${shown(value)} is neither a bake id (bake-20261128-k3m9) nor an AMI id (ami-0123456789abcdef0).`);
  }
  return value;
}

function changeId(args: string[], usage: string): string | Invalid {
  if (args.length !== 1) return invalid(`Usage: \`${usage}\`.`);
  const id = args[0]!;
  return isChangeId(id)
    ? id
    : invalid(`${shown(id)} is not a change id (like chg-20261128-k3m9); \`/ami history\` lists them.`);
}

/** `/ami plan` options that take a value, and what each wants (shown when the value is missing). */
const PLAN_OPTIONS = {
  '--at': ['at', 'the maintenance window start, e.g. `--at "2026-12-01 02:00"`'],
  '--for': ['for', 'the window length, e.g. `--for 2h` or `--for 90m`'],
  '--until': ['until', 'the window end, e.g. `--until "2026-12-01 04:00"`'],
  '--override-test': [
    'overrideTest',
    'a reason for planning without a passed test, e.g. `--override-test "tested by hand on tier x"`',
  ],
} as const;

function parsePlan(args: string[]): RolloutCommand | Invalid {
  const usage =
    '/ami plan <bake-id|ami-id> [--at "YYYY-MM-DD HH:MM" [--for 2h | --until "YYYY-MM-DD HH:MM"]] [--override-test "reason"]';
  const options: { at?: string; for?: string; until?: string; overrideTest?: string } = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    const option = PLAN_OPTIONS[name as keyof typeof PLAN_OPTIONS];
    if (option) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      if (!value) return invalid(`\`${name}\` needs ${option[1]}.`);
      if (option[0] === 'overrideTest') {
        const refusal = overrideReasonRefusal(value);
        if (refusal) return invalid(refusal);
      }
      options[option[0]] = option[0] === 'overrideTest' ? value.trim() : value;
    } else if (arg.startsWith('-'))
      return invalid(`Unknown option ${shown(arg)} for \`/ami plan\`. Usage: \`${usage}\`.`);
    else rest.push(arg);
  }
  if (rest.length !== 1) return invalid(`Usage: \`${usage}\`.`);
  const t = target(rest[0], usage);
  if (typeof t !== 'string') return t;
  return { kind: 'plan', target: t, ...options };
}

function parseTest(args: string[]): RolloutCommand | Invalid {
  const usage = '/ami test <bake-id|ami-id> [--keep]';
  const keep = args.includes('--keep');
  const rest = args.filter((a) => a !== '--keep');
  const unknown = rest.find((a) => a.startsWith('-'));
  if (unknown) return invalid(`Unknown option ${shown(unknown)} for \`/ami test\`. Usage: \`${usage}\`.`);
  if (rest.length !== 1) return invalid(`Usage: \`${usage}\`.`);
  const t = target(rest[0], usage);
  if (typeof t !== 'string') return t;
  return keep ? { kind: 'test', target: t, keep } : { kind: 'test', target: t };
}

export function parseRolloutCommand(
  sub: (typeof ROLLOUT_SUBCOMMANDS)[number],
  args: string[],
): RolloutCommand | Invalid {
  switch (sub) {
    case 'test':
      return parseTest(args);
    case 'plan':
      return parsePlan(args);
    case 'revert': {
      const id = changeId(args, '/ami revert <change-id>');
      return typeof id === 'string' ? { kind: 'revert', changeId: id } : id;
    }
    case 'drain': {
      const id = changeId(args, '/ami drain <change-id>');
      return typeof id === 'string' ? { kind: 'drain', changeId: id } : id;
    }
    case 'history': {
      if (args.length === 0) return { kind: 'history' };
      const limit = Number(args[0]);
      if (args.length > 1 || !Number.isInteger(limit) || limit < 1 || limit > 50) {
        return invalid('Usage: `/ami history [count 1–50]`.');
      }
      return { kind: 'history', limit };
    }
  }
}

export function isRolloutSubcommand(word: string): word is (typeof ROLLOUT_SUBCOMMANDS)[number] {
  return (ROLLOUT_SUBCOMMANDS as readonly string[]).includes(word);
}

/** `/ami cancel <test-id>` cancels an AMI test (bake ids keep going to the bake). */
export function parseCancelTest(id: string): RolloutCommand | undefined {
  return isTestId(id) ? { kind: 'cancelTest', testId: id } : undefined;
}
