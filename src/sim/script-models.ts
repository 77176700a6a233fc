import type { ScriptSpec } from '../bake/script-spec.js';
import {
  HIGHSTATE_LOG_DIR,
  HIGHSTATE_TAIL_CHARS,
  highstateLogPath,
  LEGACY_HIGHSTATE_LOG_DIR,
  NO_RUNTIME_EXIT,
  PROVISION_MISSING,
  provisionLogPath,
} from '../bake/ssm-scripts.js';
import type { ContainerRuntime } from '../config.js';
import { commandNotFound, containerdImages, containerdPull, hasRuntime } from './containerd-commands.js';
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
    case 'inventory': {
      const cli = spec.runtime;
      return cli
        ? withCli(host, cli, () => containerdImages(cli, host.context()))
        : withCli(host, 'docker', () => dockerImages(host.context()));
    }
    case 'prune':
      return withCli(host, 'docker', () => dockerImagePrune(host.context()));
    case 'pull': {
      const cli = spec.runtime;
      // Each CLI is given what pullScript gives it: ctr the canonical reference, nerdctl and docker the requested one.
      return cli
        ? withCli(host, cli, () =>
            containerdPull(cli, cli === 'ctr' ? spec.ref.normalized : spec.ref.text, host.context()),
          )
        : withCli(host, 'docker', () => dockerPull(spec.ref.text, host.context()));
    }
    case 'highstate':
      return highstate(spec.bakeId, host);
    case 'detect-runtime':
      return detectRuntime(spec.order, host);
    case 'provision':
      return provision(spec.bakeId, spec.script, host);
  }
}

/** A one-line script of a runtime's CLI; on a host without that runtime, bash's "command not found". */
function withCli(host: ScriptHost, runtime: ContainerRuntime, start: () => ProgramRun): ScriptRun {
  return passThrough(host, () => (hasRuntime(host.context().instance, runtime) ? start() : commandNotFound(runtime)));
}

/** detectRuntimeScript: the first runtime of the order the host has (its daemon answering), else exit 3. */
function* detectRuntime(order: readonly ContainerRuntime[], host: ScriptHost): ScriptRun {
  const { world, instance } = host.context();
  yield world.draw(world.timings.dockerImages);
  for (const runtime of order) {
    if (hasRuntime(instance, runtime)) {
      host.out(`runtime=${runtime}\n`);
      return 0;
    }
    host.out(`${runtime}: not installed\n`);
  }
  return NO_RUNTIME_EXIT;
}

/**
 * provisionScript: the configured path must be a file on the host (the simulated disk, `fs.files`), else the
 * script says so and exits 127; a script that is there runs for a while, prints a line and succeeds, logged
 * like the highstate (the model runs no shell: what a real script does is not simulated).
 */
function* provision(bakeId: string, script: string, host: ScriptHost): ScriptRun {
  const { fs } = host.context().instance;
  if (!fs.files.has(script)) {
    host.err(`${PROVISION_MISSING}\n`);
    return 127;
  }
  const { world } = host.context();
  return yield* loggedRun(provisionLogPath(bakeId), host, () => ({
    durationMs: world.draw(world.timings.highstate),
    stdout: `[sim] ${script}: provisioned\n`,
    stderr: '',
    exitCode: 0,
  }));
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

/** highstateScript: salt's highstate as a logged run. */
function highstate(bakeId: string, host: ScriptHost): ScriptRun {
  return loggedRun(highstateLogPath(bakeId), host, () => saltHighstate(host.context()));
}

/** The shared logged run: old logs removed, the program's output to a log in /run, its tail printed, the log removed. */
function* loggedRun(log: string, host: ScriptHost, start: () => ProgramRun): ScriptRun {
  const { fs } = host.context().instance;
  removeTree(fs, LEGACY_HIGHSTATE_LOG_DIR);
  makeDirs(fs, HIGHSTATE_LOG_DIR);
  // `> "$log"` creates the file before the program starts: a run killed midway leaves it empty, until /run is cleared.
  fs.files.set(log, '');
  const run = yield* program(start());
  const text = run.stdout + run.stderr;
  fs.files.set(log, text);
  host.out(highstateStdout(text));
  fs.files.delete(log);
  return run.exitCode & 255;
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
