import type { ScriptSpec } from '../bake/script-spec.js';
import {
  HIGHSTATE_LOG_DIR,
  HIGHSTATE_TAIL_CHARS,
  highstateLogPath,
  LEGACY_HIGHSTATE_LOG_DIR,
} from '../bake/ssm-scripts.js';
import { dockerImagePrune, dockerImages, dockerPull } from './docker-commands.js';
import type { ProgramContext, ProgramRun } from './host-program.js';
import { saltHighstate } from './salt-highstate.js';
import { makeDirs, removeTree } from './sim-fs.js';

/**
 * Direct models of the scripts ssm-scripts.ts builds, step for step what bash does with them on the host. A model
 * yields the virtual ms each program takes and returns the script's exit code; the caller resumes it when that
 * time has passed, or never (cancelled, timed out, host gone), so an unfinished program's effects never land.
 */
export type ScriptRun = Generator<number, number, void>;

export interface ScriptHost {
  /** The host as a program starting now sees it. */
  context(): ProgramContext;
  out(text: string): void;
  err(text: string): void;
}

export function runModel(spec: ScriptSpec, host: ScriptHost): ScriptRun {
  switch (spec.kind) {
    case 'inventory':
      return passThrough(host, () => dockerImages(host.context()));
    case 'prune':
      return passThrough(host, () => dockerImagePrune(host.context()));
    case 'pull':
      return passThrough(host, () => dockerPull(spec.ref.text, host.context()));
    case 'highstate':
      return highstate(spec.bakeId, host);
  }
}

function* program(run: ProgramRun): Generator<number, ProgramRun, void> {
  if (run.durationMs > 0) yield run.durationMs;
  run.onDone?.();
  return run;
}

/** A one-line script: the program's output is the script's, and so is its exit code. */
function* passThrough(host: ScriptHost, start: () => ProgramRun): ScriptRun {
  const run = yield* program(start());
  host.out(run.stdout);
  host.err(run.stderr);
  return run.exitCode;
}

/** highstateScript: old logs removed, salt's output to a log in /run, its tail printed, the log removed. */
function* highstate(bakeId: string, host: ScriptHost): ScriptRun {
  const { fs } = host.context().instance;
  removeTree(fs, LEGACY_HIGHSTATE_LOG_DIR);
  makeDirs(fs, HIGHSTATE_LOG_DIR);
  const log = highstateLogPath(bakeId);
  // `> "$log"` creates the file before salt starts: a run killed midway leaves it empty, until /run is cleared.
  fs.files.set(log, '');
  const salt = yield* program(saltHighstate(host.context()));
  const text = salt.stdout + salt.stderr;
  fs.files.set(log, text);
  host.out(highstateStdout(text));
  fs.files.delete(log);
  return salt.exitCode & 255;
}

/** What the highstate script prints for a log: a note when it is cut, then its last HIGHSTATE_TAIL_CHARS bytes. */
export function highstateStdout(log: string): string {
  const bytes = Buffer.from(log);
  const note =
    bytes.length > HIGHSTATE_TAIL_CHARS
      ? `[ami-bot] last ${HIGHSTATE_TAIL_CHARS} of ${bytes.length} bytes (the full log is not kept: it can hold secrets)\n`
      : '';
  return note + bytes.subarray(Math.max(0, bytes.length - HIGHSTATE_TAIL_CHARS)).toString();
}
