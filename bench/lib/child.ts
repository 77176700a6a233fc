// Child processes for the benchmarks: TypeScript helpers run with `node --import tsx`, each printing one
// `READY <json>` line once it listens, and exiting when its stdin closes (so none outlives the bench).
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Helper<T> {
  child: ChildProcess;
  info: T;
  /** Closes stdin, then SIGTERM / SIGKILL if it does not exit; resolves once it is gone. */
  stop(): Promise<void>;
}

/** Starts `bench/<script>` under tsx and resolves with what it printed after `READY `. */
export async function startHelper<T>(
  script: string,
  args: string[] = [],
  timeoutMs = 30_000,
  nodeArgs: string[] = [],
): Promise<Helper<T>> {
  // BENCH_CPU_PROF_DIR=/tmp/prof: every helper writes a V8 CPU profile there when it exits (for the analyses in
  // docs/PERFORMANCE.md); --cpu-prof is not allowed in NODE_OPTIONS, hence the variable.
  const profile = process.env.BENCH_CPU_PROF_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
    : [];
  const child = spawn(process.execPath, [...profile, ...nodeArgs, '--import', 'tsx', `bench/${script}`, ...args], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const info = await new Promise<T>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start within ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = /READY (.*)\n/.exec(out);
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line[1] as string) as T);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${script} exited before it was ready: ${stderr.trim()}`));
    });
  });
  return {
    child,
    info,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin?.end();
      if (await within(exited, 3_000)) return;
      child.kill('SIGTERM');
      if (await within(exited, 3_000)) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** In a helper: exit when the parent closes our stdin (or dies). */
export function exitWithParent(cleanup: () => Promise<void> | void = () => undefined): void {
  const stop = () => {
    Promise.resolve(cleanup()).finally(() => process.exit(0));
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

export function ready(info: unknown): void {
  process.stdout.write(`READY ${JSON.stringify(info)}\n`);
}

async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const done = await Promise.race([p.then(() => true as const), timeout]);
  clearTimeout(timer);
  return done;
}
