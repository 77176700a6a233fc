import type { Faults } from './faults.js';
import { type Pipeline, parseLine, type SimpleCommand } from './shell-parse.js';
import type { SimCommand, SimInstance, SimWorld } from './sim-world.js';

/** What one program did; `onDone` applies its lasting effect (a pulled image lands on disk) when it ends. */
export interface StepResult {
  durationMs: number;
  stdout: string;
  stderr: string;
  exitCode: number;
  onDone?: () => void;
}

export interface StepContext {
  world: SimWorld;
  instance: SimInstance;
  command: SimCommand;
  faults: Faults;
  atMs: number;
}

/** Returns undefined when the program is not one it knows (the runner then answers exit 127). */
export type ProgramHandler = (argv: string[], ctx: StepContext) => StepResult | undefined;

interface Options {
  /** Where SSM writes the script; it prefixes bash's own error messages, as on a real instance. */
  scriptPath: string;
  /** Called once, when the last program ended (or errexit stopped the script). */
  finish(endMs: number, exitCode: number): void;
  isFinished(): boolean;
}

/**
 * Runs the script one program at a time on the world's event queue: each program starts at a virtual
 * time, sees the world as it is then, and its effects land when it ends — so parallel commands (several
 * pulls at once) interleave as they would on the host.
 */
export function runScript(ctx: Omit<StepContext, 'atMs'>, handlers: ProgramHandler[], options: Options): void {
  const steps: Array<{ pipeline: Pipeline; lineNo: number } | { syntaxError: string; lineNo: number }> = [];
  ctx.command.commands.forEach((line, index) => {
    try {
      for (const pipeline of parseLine(line)) steps.push({ pipeline, lineNo: index + 1 });
    } catch (error) {
      steps.push({ syntaxError: (error as Error).message, lineNo: index + 1 });
    }
  });
  const flags = { errexit: false, pipefail: false };
  let lastExit = 0;
  let index = 0;

  const next = (atMs: number): void => {
    if (options.isFinished()) return;
    const step = steps[index++];
    if (step === undefined) return options.finish(atMs, lastExit);
    if ('syntaxError' in step) {
      ctx.command.stderr += `${options.scriptPath}: line ${step.lineNo}: syntax error: ${step.syntaxError}\n`;
      return options.finish(atMs, 2);
    }
    const { joinedBy, commands } = step.pipeline;
    if ((joinedBy === '&&' && lastExit !== 0) || (joinedBy === '||' && lastExit === 0)) return next(atMs);
    const result = runPipeline(commands, { ...ctx, atMs }, handlers, flags, `${options.scriptPath}: line ${step.lineNo}`);
    ctx.world.schedule(atMs + result.durationMs, (endMs) => {
      if (options.isFinished()) return;
      result.onDone?.();
      ctx.command.stdout += result.stdout;
      ctx.command.stderr += result.stderr;
      lastExit = result.exitCode;
      const following = steps[index];
      const chained = following !== undefined && 'pipeline' in following && following.pipeline.joinedBy !== ';';
      if (flags.errexit && lastExit !== 0 && !chained) return options.finish(endMs, lastExit);
      next(endMs);
    });
  };
  next(ctx.command.startMs ?? ctx.command.sentMs);
}

function runPipeline(
  commands: SimpleCommand[],
  ctx: StepContext,
  handlers: ProgramHandler[],
  flags: { errexit: boolean; pipefail: boolean },
  where: string,
): StepResult {
  const [first, ...filters] = commands as [SimpleCommand, ...SimpleCommand[]];
  const argv = first.argv[0] === 'sudo' ? first.argv.slice(1) : first.argv;
  const result = builtin(argv, flags) ??
    handlers.reduce<StepResult | undefined>((found, h) => found ?? h(argv, ctx), undefined) ?? {
      durationMs: 5,
      stdout: '',
      stderr: `${where}: ${argv[0]}: command not found\n`,
      exitCode: 127,
    };
  let stdout = first.dropStdout ? '' : result.stdout;
  let stderr = first.dropStderr ? '' : result.stderr;
  if (first.stderrToStdout) {
    stdout += stderr;
    stderr = '';
  }
  let exitCode = result.exitCode;
  for (const filter of filters) {
    const filtered = applyFilter(filter.argv, stdout);
    if (filtered === undefined) {
      stderr += `${where}: ${filter.argv[0]}: command not found\n`;
      stdout = '';
      exitCode = 127;
      continue;
    }
    stdout = filtered;
    if (!flags.pipefail || exitCode === 0) exitCode = 0;
  }
  return { ...result, stdout, stderr, exitCode };
}

function builtin(argv: string[], flags: { errexit: boolean; pipefail: boolean }): StepResult | undefined {
  const ok = (stdout = ''): StepResult => ({ durationMs: 0, stdout, stderr: '', exitCode: 0 });
  switch (argv[0]) {
    case 'set':
      for (const arg of argv.slice(1)) {
        if (/^-[a-z]*e/.test(arg)) flags.errexit = true;
        if (arg === 'pipefail') flags.pipefail = true;
      }
      return ok();
    case 'echo':
      return ok(`${argv.slice(1).join(' ')}\n`);
    case 'true':
    case ':':
      return ok();
    case 'false':
      return { ...ok(), exitCode: 1 };
    default:
      return undefined;
  }
}

/** `tail -n N`, `tail -N`, `head -n N`, `cat`; undefined for any other filter. */
function applyFilter(argv: string[], text: string): string | undefined {
  const [name, ...args] = argv;
  if (name === 'cat' && args.length === 0) return text;
  if (name !== 'tail' && name !== 'head') return undefined;
  const joined = args.join(' ');
  const match = /^(?:-n\s*|-)(\d+)$/.exec(joined) ?? (joined === '' ? ['', '10'] : null);
  if (match === null) return undefined;
  const count = Number(match[1]);
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  if (text === '') return '';
  const kept = name === 'tail' ? lines.slice(Math.max(0, lines.length - count)) : lines.slice(0, count);
  return kept.length === 0 ? '' : `${kept.join('\n')}\n`;
}
