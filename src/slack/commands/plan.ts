import { overrideReasonRefusal } from '../../rollout/rollout-gate.js';
import { ACCEPT_DRIFT_FLAG } from '../../rollout/terraform-drift-text.js';
import { shown, targetArg } from './rollout-args.js';
import { parsed, type Subcommand, usageError, valuesOf } from './subcommand.js';

export type PlanCommand = {
  kind: 'plan';
  target: string;
  at?: string;
  for?: string;
  until?: string;
  overrideTest?: string;
  acceptDrift?: boolean;
};

const USAGE =
  '/ami plan <bake-id|ami-id> [--at "YYYY-MM-DD HH:MM" [--for 2h | --until "YYYY-MM-DD HH:MM"]] [--override-test "reason"] [--accept-terraform-drift]';

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

export const plan: Subcommand<PlanCommand> = {
  name: 'plan',
  help: [
    {
      usage: USAGE,
      summary:
        'needs a passed test of a bake of this deployment (or an override with a reason); snapshot every tier, plan the change of the standard ones, tell their users, ask for approval. `--accept-terraform-drift`: go on although node groups launch from templates Terraform manages (the plan says which variable to change)',
    },
  ],
  parse(words) {
    const args = valuesOf(words);
    const options: { at?: string; for?: string; until?: string; overrideTest?: string; acceptDrift?: boolean } = {};
    const rest: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
      const option = PLAN_OPTIONS[name as keyof typeof PLAN_OPTIONS];
      if (arg === ACCEPT_DRIFT_FLAG) options.acceptDrift = true;
      else if (option) {
        const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
        if (!value) return usageError(`\`${name}\` needs ${option[1]}.`);
        if (option[0] === 'overrideTest') {
          const refusal = overrideReasonRefusal(value);
          if (refusal) return usageError(refusal);
        }
        options[option[0]] = option[0] === 'overrideTest' ? value.trim() : value;
      } else if (arg.startsWith('-'))
        return usageError(`Unknown option ${shown(arg)} for \`/ami plan\`. Usage: \`${USAGE}\`.`);
      else rest.push(arg);
    }
    if (rest.length !== 1) return usageError(`Usage: \`${USAGE}\`.`);
    const target = targetArg(rest[0], USAGE);
    if (!target.ok) return target;
    return parsed({ kind: 'plan', target: target.value, ...options });
  },
  run(command, { caller, useCases }) {
    return useCases.planRollout({
      userId: caller.userId,
      channelId: caller.channelId,
      target: command.target,
      ...(command.at ? { at: command.at } : {}),
      ...(command.for ? { for: command.for } : {}),
      ...(command.until ? { until: command.until } : {}),
      ...(command.overrideTest === undefined ? {} : { overrideTest: command.overrideTest }),
      ...(command.acceptDrift ? { acceptDrift: true } : {}),
    });
  },
};
