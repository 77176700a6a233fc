// The real entry point as an operator runs it: `npm run build` then `node dist/main.js` (and, for comparison,
// `node --import tsx src/main.ts`), in sandbox mode with the four required settings and a fake Slack API.
// Start-up = spawn → first 200 from /readyz; idle RSS = VmRSS after the process has settled.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { getFreePort } from '../test/support/free-port.js';
import { REPO_ROOT } from './lib/child.js';
import { BENCH_ADMIN, BENCH_CHANNEL, BENCH_SECRET } from './lib/fixtures.js';
import { readRssMb } from './lib/proc.js';
import { median, round } from './lib/stats.js';

const execFileP = promisify(execFile);

export interface ProcessOptions {
  /** Wall ms to wait after /readyz before sampling RSS. */
  settleMs: number;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function build(): Promise<{ seconds: number; ok: boolean; errors: string[] }> {
  const start = performance.now();
  try {
    await execFileP(join(REPO_ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { seconds: round((performance.now() - start) / 1000, 1), ok: true, errors: [] };
  } catch (error) {
    // tsc still writes dist/ when it reports type errors; the run below tells whether it works.
    const out = String((error as { stdout?: string }).stdout ?? error);
    const errors = out.split('\n').filter((line) => line.includes('error TS'));
    return { seconds: round((performance.now() - start) / 1000, 1), ok: false, errors: errors.slice(0, 5) };
  }
}

async function measure(args: string[], apiUrl: string, settleMs: number) {
  const port = await getFreePort();
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    SLACK_BOT_TOKEN: 'xoxb-bench_sandbox_not_real',
    SLACK_SIGNING_SECRET: BENCH_SECRET,
    AMIBOT_OPS_CHANNELS: BENCH_CHANNEL,
    AMIBOT_ADMINS: BENCH_ADMIN,
    AMIBOT_SANDBOX: '1',
    SLACK_API_URL: apiUrl,
    PORT: String(port),
    LOG_LEVEL: 'warn',
  };
  const start = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    let startupMs: number | undefined;
    while (startupMs === undefined) {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${stderr.trim().slice(0, 300)}`);
      if (performance.now() - start > 30_000) throw new Error('no 200 from /readyz within 30 s');
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        await res.text();
        if (res.status === 200) startupMs = performance.now() - start;
      } catch {
        // not listening yet
      }
      if (startupMs === undefined) await sleep(10);
    }
    const readyRss = readRssMb(child.pid as number);
    await sleep(settleMs);
    const samples: number[] = [];
    for (let i = 0; i < 6; i++) {
      samples.push(readRssMb(child.pid as number));
      await sleep(500);
    }
    const stopStart = performance.now();
    child.kill('SIGTERM');
    const code = await exited;
    return {
      startup_ms: Math.round(startupMs),
      rss_at_ready_mb: readyRss,
      idle_rss_mb: median(samples),
      idle_rss_max_mb: Math.max(...samples),
      sigterm_exit_ms: Math.round(performance.now() - stopStart),
      exit_code: code,
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/**
 * Where the RSS goes: a fresh node process imports, in turn (a GC after each group), the third-party packages,
 * the AWS SDK clients (which sandbox mode never calls) and ami-bot's own modules (what dist/main.js imports),
 * and reports RSS after each group. The running process's idle RSS minus the last figure is its run-time state.
 */
async function rssAttribution(): Promise<Record<string, number>> {
  const main = await readFile(join(REPO_ROOT, 'dist/main.js'), 'utf8');
  const own = [...main.matchAll(/from '(\.\/[^']+)'/g)].map(
    (m) => pathToFileURL(join(REPO_ROOT, 'dist', m[1] as string)).href,
  );
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const deps = Object.keys(pkg.dependencies);
  const groups = [
    ['node', []],
    [`+ ${deps.filter((d) => !d.startsWith('@aws-sdk/')).join(', ')}`, deps.filter((d) => !d.startsWith('@aws-sdk/'))],
    ['+ @aws-sdk/client-ec2, @aws-sdk/client-ssm', deps.filter((d) => d.startsWith('@aws-sdk/'))],
    ["+ ami-bot's modules (dist/main.js imports)", own],
  ];
  const script = `
    const groups = ${JSON.stringify(groups)};
    const out = {};
    for (const [name, mods] of groups) {
      for (const m of mods) await import(m);
      globalThis.gc();
      await new Promise((r) => setTimeout(r, 200));
      out[name] = Math.round(process.memoryUsage().rss / 104857.6) / 10;
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const { stdout } = await execFileP(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
  });
  return JSON.parse(stdout) as Record<string, number>;
}

/**
 * What-if: the same dist/main.js with the two AWS SDK packages resolved to stubs (same export names, no code),
 * as if main.ts loaded the AWS adapters lazily, only outside sandbox mode. Returns the node args to use.
 */
async function withoutAwsSdkArgs(dir: string): Promise<string[]> {
  const stubs: Record<string, string> = {};
  for (const name of ['@aws-sdk/client-ec2', '@aws-sdk/client-ssm']) {
    const exported = Object.keys(await import(name)).filter(
      (key) => /^[A-Za-z_$][\w$]*$/.test(key) && key !== 'default',
    );
    const file = join(dir, `${name.replace(/\W/g, '_')}.mjs`);
    await writeFile(file, exported.map((key) => `export const ${key} = undefined;`).join('\n'));
    stubs[name] = pathToFileURL(file).href;
  }
  const hooks = join(dir, 'hooks.mjs');
  await writeFile(
    hooks,
    `const stubs = ${JSON.stringify(stubs)};\nexport async function resolve(specifier, context, next) {\n  return stubs[specifier] ? { url: stubs[specifier], shortCircuit: true } : next(specifier, context);\n}\n`,
  );
  const register = join(dir, 'register.mjs');
  await writeFile(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  return ['--import', pathToFileURL(register).href, 'dist/main.js'];
}

export async function benchProcess(options: ProcessOptions) {
  const log = options.log ?? (() => undefined);
  log('process: npm run build (tsc -p tsconfig.build.json)');
  const built = await build();
  const fake = await startFakeSlack();
  try {
    const dist = existsSync(join(REPO_ROOT, 'dist/main.js'))
      ? await measure(['dist/main.js'], fake.apiUrl, options.settleMs).catch((error: unknown) => ({
          error: (error as Error).message,
        }))
      : { error: 'dist/main.js was not built' };
    log('process: node dist/main.js with the AWS SDK stubbed out (what-if)');
    const dir = await mkdtemp(join(tmpdir(), 'amibot-bench-'));
    const noAws = await withoutAwsSdkArgs(dir)
      .then((args) => measure(args, fake.apiUrl, options.settleMs))
      .catch((error: unknown) => ({ error: (error as Error).message }))
      .finally(() => rm(dir, { recursive: true, force: true }));
    log('process: node --import tsx src/main.ts');
    const tsx = await measure(['--import', 'tsx', 'src/main.ts'], fake.apiUrl, options.settleMs).catch(
      (error: unknown) => ({ error: (error as Error).message }),
    );
    const attribution = await rssAttribution().catch((error: unknown) => ({ error: String(error).slice(0, 200) }));
    const main = 'startup_ms' in dist ? dist : undefined;
    return {
      idle_rss_mb: main?.idle_rss_mb ?? null,
      startup_ms: main?.startup_ms ?? null,
      entry: 'node dist/main.js (sandbox mode)',
      build: built,
      dist,
      tsx,
      dist_without_aws_sdk: noAws,
      rss_after_imports_mb: attribution,
      settle_ms: options.settleMs,
    };
  } finally {
    await fake.close();
  }
}
