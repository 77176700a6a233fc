import { isBakeId } from '../bake/bake-record.js';
import { isTestId } from '../rollout/ami-test-record.js';
import { isChangeId } from '../rollout/change-record.js';
import { isAmiId } from '../rollout/classify-tiers.js';
import { overrideReasonRefusal } from '../rollout/rollout-gate.js';

/** The rollout's `/ami` subcommands. Ids are checked against their pattern here, before any lookup. */
export type RolloutCommand =
  | { kind: 'test'; target: string; keep?: boolean }
  | { kind: 'plan'; target: string; at?: string; overrideTest?: string }
  | { kind: 'revert'; changeId: string }
  | { kind: 'drain'; changeId: string }
  | { kind: 'history'; limit?: number }
  | { kind: 'cancelTest'; testId: string };

export const ROLLOUT_SUBCOMMANDS = ['test', 'plan', 'revert', 'drain', 'history'] as const;

type Invalid = { kind: 'invalid'; message: string };

const invalid = (message: string): Invalid => ({ kind: 'invalid', message });
const shown = (value: string) => `\`${value.slice(0, 40)}\``;

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

/** `--name value` or `--name=value`; undefined when `arg` is not that option. */
function optionValue(args: string[], i: number, name: string): { value: string | undefined; next: number } | undefined {
  const arg = args[i]!;
  if (arg === name) return { value: args[i + 1], next: i + 1 };
  if (arg.startsWith(`${name}=`)) return { value: arg.slice(name.length + 1), next: i };
  return undefined;
}

function parsePlan(args: string[]): RolloutCommand | Invalid {
  const usage = '/ami plan <bake-id|ami-id> [--at "YYYY-MM-DD HH:MM"] [--override-test "reason"]';
  let at: string | undefined;
  let overrideTest: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const atOption = optionValue(args, i, '--at');
    const override = optionValue(args, i, '--override-test');
    if (atOption) {
      if (!atOption.value) return invalid('`--at` needs the maintenance window start, e.g. `--at "2026-12-01 02:00"`.');
      at = atOption.value;
      i = atOption.next;
    } else if (override) {
      const refusal = overrideReasonRefusal(override.value ?? '');
      if (refusal) return invalid(refusal);
      overrideTest = override.value!.trim();
      i = override.next;
    } else if (arg.startsWith('-'))
      return invalid(`Unknown option ${shown(arg)} for \`/ami plan\`. Usage: \`${usage}\`.`);
    else rest.push(arg);
  }
  if (rest.length !== 1) return invalid(`Usage: \`${usage}\`.`);
  const t = target(rest[0], usage);
  if (typeof t !== 'string') return t;
  return {
    kind: 'plan',
    target: t,
    ...(at === undefined ? {} : { at }),
    ...(overrideTest === undefined ? {} : { overrideTest }),
  };
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
