import { runBuiltin } from './shell-builtins.js';
import { ShellSyntaxError } from './shell-lexer.js';
import {
  type AndOrNode,
  type CommandNode,
  type ListNode,
  type PipelineNode,
  parseScript,
  type Redirect,
  type SimpleNode,
  type Word,
} from './shell-parser.js';
import { readFile, type SimFilesystem, writeFile } from './sim-fs.js';

/**
 * A tree-walking interpreter written as generators: it yields the virtual milliseconds a program takes
 * and is resumed by the world's event queue when they have passed, so a script sees the world as it is
 * at each moment of its run (a parallel pull finishing meanwhile, a fault switched on).
 */

/** A program that takes time (docker, salt-call): its output is written, and `onDone` applied, at its end. */
export interface ProgramRun {
  durationMs: number;
  stdout: string;
  stderr: string;
  exitCode: number;
  onDone?: () => void;
}

export interface ShellHost {
  fs: SimFilesystem;
  /** Prefix of bash's own messages: `<script path>: line N`. */
  scriptPath: string;
  program(argv: string[], stdin: string): ProgramRun | undefined;
}

export interface Shell {
  vars: Map<string, string>;
  lastExit: number;
  errexit: boolean;
  pipefail: boolean;
  conditionDepth: number;
}

type Sink = (text: string) => void;
export interface Fds {
  stdin: string;
  out: Sink;
  err: Sink;
}

/** `exit N`, or errexit: unwinds to the script (or `$(…)`) boundary. */
export class ExitSignal {
  constructor(readonly code: number) {}
}

type Run<T> = Generator<number, T, void>;

export function* runScriptSource(source: string, host: ShellHost, fds: Fds, shell: Shell): Run<number> {
  let ast: ListNode;
  try {
    ast = parseScript(source);
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error;
    fds.err(`${host.scriptPath}: line ${error.line}: ${error.message}\n`);
    return 2;
  }
  try {
    return yield* runList(ast, host, fds, shell);
  } catch (signal) {
    if (signal instanceof ExitSignal) return signal.code;
    throw signal;
  }
}

function* runList(list: ListNode, host: ShellHost, fds: Fds, sh: Shell): Run<number> {
  let status = 0;
  for (const item of list.items) status = yield* runAndOr(item, host, fds, sh);
  return status;
}

function* runAndOr(node: AndOrNode, host: ShellHost, fds: Fds, sh: Shell): Run<number> {
  let status = yield* runPipeline(node.first, host, fds, sh);
  let ranLast = node.rest.length === 0 && !node.first.negate;
  for (const [index, { op, pipeline }] of node.rest.entries()) {
    if ((op === '&&') !== (status === 0)) continue;
    status = yield* runPipeline(pipeline, host, fds, sh);
    ranLast = index === node.rest.length - 1 && !pipeline.negate;
  }
  // set -e ignores failures in conditions and in all but the last command of an && / || chain.
  if (sh.errexit && status !== 0 && sh.conditionDepth === 0 && ranLast) throw new ExitSignal(status);
  return status;
}

function* runPipeline(node: PipelineNode, host: ShellHost, fds: Fds, sh: Shell): Run<number> {
  let stdin = fds.stdin;
  let status = 0;
  let failed = 0;
  for (const [index, command] of node.commands.entries()) {
    const isLast = index === node.commands.length - 1;
    let piped = '';
    const out: Sink = isLast
      ? fds.out
      : (text) => {
          piped += text;
        };
    status = yield* runCommand(command, host, { stdin, out, err: fds.err }, sh);
    if (status !== 0) failed = status;
    stdin = piped;
  }
  if (sh.pipefail && failed !== 0) status = failed;
  if (node.negate) status = status === 0 ? 1 : 0;
  sh.lastExit = status;
  return status;
}

function* runCommand(node: CommandNode, host: ShellHost, fds: Fds, sh: Shell): Run<number> {
  const redirected = yield* applyRedirects(node.redirects, host, fds, sh, node.line);
  if (redirected === undefined) return 1;
  if (node.type === 'simple') return yield* runSimple(node, host, redirected, sh);
  for (const branch of node.branches) {
    sh.conditionDepth++;
    let cond: number;
    try {
      cond = yield* runList(branch.cond, host, redirected, sh);
    } finally {
      sh.conditionDepth--;
    }
    if (cond === 0) return yield* runList(branch.body, host, redirected, sh);
  }
  return node.elseBody ? yield* runList(node.elseBody, host, redirected, sh) : 0;
}

function* runSimple(node: SimpleNode, host: ShellHost, fds: Fds, sh: Shell): Run<number> {
  const argv: string[] = [];
  for (const word of node.words) argv.push(...(yield* expand(word, host, fds, sh, true)));
  const values: Array<[string, string]> = [];
  for (const { name, value } of node.assigns)
    values.push([name, (yield* expand(value, host, fds, sh, false)).join('')]);
  for (const [name, value] of values) sh.vars.set(name, value);
  if (argv.length === 0) return 0;
  const where = `${host.scriptPath}: line ${node.line}`;
  const builtin = runBuiltin(argv, { sh, fs: host.fs, stdin: fds.stdin, where });
  if (builtin !== undefined) {
    if (builtin.sleepMs) yield builtin.sleepMs;
    if (builtin.stdout) fds.out(builtin.stdout);
    if (builtin.stderr) fds.err(builtin.stderr);
    if (builtin.exit !== undefined) throw new ExitSignal(builtin.exit);
    return builtin.status;
  }
  const run = host.program(argv, fds.stdin);
  if (run === undefined) {
    fds.err(`${where}: ${argv[0]}: command not found\n`);
    return 127;
  }
  if (run.durationMs > 0) yield run.durationMs;
  run.onDone?.();
  if (run.stdout) fds.out(run.stdout);
  if (run.stderr) fds.err(run.stderr);
  return run.exitCode;
}

function* applyRedirects(
  redirects: Redirect[],
  host: ShellHost,
  fds: Fds,
  sh: Shell,
  line: number,
): Run<Fds | undefined> {
  const result: Fds = { ...fds };
  for (const r of redirects) {
    const target = (yield* expand(r.target, host, fds, sh, false)).join('');
    const fail = (reason: string) => {
      fds.err(`${host.scriptPath}: line ${line}: ${target}: ${reason}\n`);
      return undefined;
    };
    if (r.op === '>&') {
      const sink = target === '1' ? result.out : target === '2' ? result.err : undefined;
      if (sink === undefined) return fail('Bad file descriptor');
      if (r.fd === 1) result.out = sink;
      else result.err = sink;
    } else if (r.op === '<') {
      const text = readFile(host.fs, target);
      if (text === undefined) return fail('No such file or directory');
      result.stdin = text;
    } else {
      const error = writeFile(host.fs, target, '', r.op === '>>');
      if (error !== undefined) return fail(error);
      const sink: Sink = (text) => void writeFile(host.fs, target, text, true);
      if (r.fd === 2) result.err = sink;
      else result.out = sink;
    }
  }
  return result;
}

/** Expands one word; `split` applies field splitting to unquoted expansions (command arguments). */
function* expand(word: Word, host: ShellHost, fds: Fds, sh: Shell, split: boolean): Run<string[]> {
  const fields: string[] = [''];
  let quotedAny = false;
  for (const part of word) {
    quotedAny ||= part.quoted;
    let value: string;
    if (part.kind === 'lit') value = part.text;
    else if (part.kind === 'var') value = part.name === '?' ? String(sh.lastExit) : (sh.vars.get(part.name) ?? '');
    else value = yield* substitute(part.source, host, fds, sh);
    if (part.kind === 'lit' || part.quoted || !split) {
      fields[fields.length - 1] += value;
      continue;
    }
    const pieces = value.split(/[ \t\n]+/);
    fields[fields.length - 1] += pieces[0] ?? '';
    fields.push(...pieces.slice(1));
  }
  const kept = fields.filter((f, i) => f !== '' || (quotedAny && i === 0));
  return split ? kept : [fields.join(' ')];
}

/** `$(…)`: a subshell (its variables and `exit` stay inside) whose stdout, minus trailing newlines, is the value. */
function* substitute(source: string, host: ShellHost, fds: Fds, sh: Shell): Run<string> {
  let captured = '';
  const sub: Shell = { ...sh, vars: new Map(sh.vars), conditionDepth: 0 };
  const capture: Sink = (text) => {
    captured += text;
  };
  const status = yield* runScriptSource(source, host, { ...fds, out: capture }, sub);
  sh.lastExit = status;
  return captured.replace(/\n+$/, '');
}
