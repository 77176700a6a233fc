import { recogniseScript } from '../bake/script-spec.js';
import type { Faults } from './faults.js';
import { runModel, type ScriptHost } from './script-models.js';
import type { SimCommand, SimInstance, SimWorld } from './sim-world.js';

/** What a host does with a script the simulator has no model of: fixed output, or `hang` until ended. */
export type CannedOutcome = { stdout?: string; stderr?: string; exitCode: number } | 'hang';

/**
 * Outcomes of scripts the bot never sends (the SSM port contract's own), looked up only when a script is not
 * one of the bot's; undefined leaves it unrecognised.
 */
export type CannedScripts = (commands: readonly string[]) => CannedOutcome | undefined;

interface Options {
  canned?: CannedScripts;
  /** Called once, when the script ends by itself (not when SSM cancels it or times it out). */
  finish(endMs: number, exitCode: number): void;
  isFinished(): boolean;
}

/** Like bash's "command not found": nothing of the script runs. */
const UNRECOGNISED_EXIT = 127;
const UNRECOGNISED =
  'ami-bot simulator: unrecognised script (the simulator runs only the scripts src/bake/ssm-scripts.ts builds); nothing was run\n';

/**
 * Runs the command's script from its start time: the model of the bot's script it is, else a canned outcome,
 * else a clear failure. Each time the model waits for a program, the rest of the run is scheduled on the
 * world's event queue; a cancelled or timed-out command is simply never resumed.
 */
export function runScript(
  world: SimWorld,
  instance: SimInstance,
  command: SimCommand,
  faults: Faults,
  options: Options,
): void {
  let nowMs = command.startMs ?? command.sentMs;
  const host: ScriptHost = {
    context: () => ({ world, instance, faults, atMs: nowMs }),
    out: (text) => {
      command.stdout += text;
    },
    err: (text) => {
      command.stderr += text;
    },
  };
  const spec = recogniseScript(command.commands);
  if (spec === undefined) {
    endUnmodelled(command.commands, host, options, nowMs);
    return;
  }
  const run = runModel(spec, host);
  const resume = (): void => {
    // A script dies with its host (stop, reboot): nothing reports back, so SSM's execution timeout ends it.
    if (options.isFinished() || instance.state !== 'running' || instance.rebootingUntilMs !== undefined) return;
    const step = run.next();
    if (step.done) {
      options.finish(nowMs, step.value);
      return;
    }
    world.schedule(nowMs + step.value, (atMs) => {
      nowMs = atMs;
      resume();
    });
  };
  resume();
}

/** A canned outcome ends the script as soon as it starts (or never: `hang`); anything else fails unrun. */
function endUnmodelled(commands: readonly string[], host: ScriptHost, options: Options, nowMs: number): void {
  const outcome = options.canned?.(commands);
  if (outcome === 'hang') return;
  if (outcome === undefined) {
    host.err(UNRECOGNISED);
    options.finish(nowMs, UNRECOGNISED_EXIT);
    return;
  }
  host.out(outcome.stdout ?? '');
  host.err(outcome.stderr ?? '');
  options.finish(nowMs, outcome.exitCode);
}
