import type { Faults } from './faults.js';
import { type ProgramRun, runScriptSource, type Shell, type ShellHost } from './shell-interpreter.js';
import type { SimCommand, SimInstance, SimWorld } from './sim-world.js';

export type StepResult = ProgramRun;

export interface StepContext {
  world: SimWorld;
  instance: SimInstance;
  command: SimCommand;
  faults: Faults;
  /** Virtual time at which the program starts. */
  atMs: number;
}

/** Returns undefined when the program is not one it knows (the shell then answers exit 127). */
export type ProgramHandler = (argv: string[], ctx: StepContext) => ProgramRun | undefined;

interface Options {
  handlers: ProgramHandler[];
  /** Called once, when the script ends by itself (not when SSM cancels it or times it out). */
  finish(endMs: number, exitCode: number): void;
  isFinished(): boolean;
}

/** SSM's agent runs the lines of `commands` as one script file with a root shell and a minimal PATH. */
const AGENT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Runs the command's script from its start time. Each time the shell yields (a program that takes
 * time), the rest of the run is scheduled on the world's event queue; a cancelled or timed-out command is
 * simply never resumed, so the effects of its unfinished program never land — as on the host.
 */
export function runScript(
  world: SimWorld,
  instance: SimInstance,
  command: SimCommand,
  faults: Faults,
  options: Options,
): void {
  let nowMs = command.startMs ?? command.sentMs;
  const host: ShellHost = {
    fs: instance.fs,
    scriptPath: `/var/lib/amazon/ssm/${instance.id}/document/orchestration/${command.id}/awsrunShellScript/0.awsrunShellScript/_script.sh`,
    program: (argv) => {
      const ctx = { world, instance, command, faults, atMs: nowMs };
      return options.handlers.reduce<ProgramRun | undefined>(
        (found, handler) => found ?? handler(argv, ctx),
        undefined,
      );
    },
  };
  const shell: Shell = {
    vars: new Map([['PATH', AGENT_PATH]]),
    lastExit: 0,
    errexit: false,
    pipefail: false,
    conditionDepth: 0,
  };
  const fds = {
    stdin: '',
    out: (text: string) => {
      command.stdout += text;
    },
    err: (text: string) => {
      command.stderr += text;
    },
  };
  const run = runScriptSource(command.commands.join('\n'), host, fds, shell);
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
