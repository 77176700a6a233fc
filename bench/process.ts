// The real entry point as an operator runs it: `npm run build`, then the Dockerfile's command (`node dist/main.js`)
// in production mode — its state in MongoDB (FerretDB here), both AWS SDK clients loaded (their endpoint is a
// closed loopback port; an idle bot calls nothing), Slack at a fake Web API — and in sandbox mode; for comparison
// the same with a 2 MB young generation (`--max-semi-space-size=2`), and `node --import tsx src/main.ts`.
// Start-up = spawn → first 200 from /readyz. RSS is sampled every 5 s after that: V8 keeps the young generation
// it grew while loading the code until its memory reducer runs after some seconds of idling (about 25-35 s here),
// so idle RSS is the median of the last three samples, once the process has been idle for `settleMs`.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { startFerretDb } from '../test/support/ferretdb.js';
import { getFreePort } from '../test/support/free-port.js';
import { REPO_ROOT } from './lib/child.js';
import { BENCH_ADMIN, BENCH_CHANNEL, BENCH_SECRET } from './lib/fixtures.js';
import { readRssMb } from './lib/proc.js';
import { median, round } from './lib/stats.js';

const execFileP = promisify(execFile);

export interface ProcessOptions {
  /** Wall ms the process idles after /readyz (RSS sampled every 5 s; the last three make the idle figure). */
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

/** Sandbox mode, or production mode against `mongoUri` with the AWS SDK loaded but pointed at nothing. */
type Mode = { sandbox: true } | { sandbox: false; mongoUri: string };

function modeEnv(mode: Mode): Record<string, string> {
  if (mode.sandbox) return { AMIBOT_SANDBOX: '1' };
  return {
    NODE_ENV: 'production',
    MONGODB_URI: mode.mongoUri,
    AMIBOT_DEPLOYMENT: 'acme',
    AWS_REGION: 'us-west-2',
    // Placeholders: the clients are built with them, and nothing is sent while the bot is idle.
    AWS_ACCESS_KEY_ID: 'bench_placeholder_key_id',
    AWS_SECRET_ACCESS_KEY: 'bench_placeholder_not_a_secret',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

async function measure(args: string[], apiUrl: string, settleMs: number, mode: Mode = { sandbox: true }) {
  const port = await getFreePort();
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    SLACK_BOT_TOKEN: 'xoxb-bench_sandbox_not_real',
    SLACK_SIGNING_SECRET: BENCH_SECRET,
    AMIBOT_OPS_CHANNELS: BENCH_CHANNEL,
    AMIBOT_ADMINS: BENCH_ADMIN,
    SLACK_API_URL: apiUrl,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...modeEnv(mode),
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
    const curve: Record<string, number> = {};
    const samples: number[] = [];
    for (let t = 5_000; t <= settleMs; t += 5_000) {
      await sleep(5_000);
      const rss = readRssMb(child.pid as number);
      curve[`${t / 1000}s`] = rss;
      samples.push(rss);
    }
    const idle = samples.slice(-3);
    const stopStart = performance.now();
    child.kill('SIGTERM');
    const code = await exited;
    return {
      startup_ms: Math.round(startupMs),
      rss_at_ready_mb: readyRss,
      idle_rss_mb: median(idle),
      idle_rss_max_mb: Math.max(...idle),
      rss_after_ready_mb: curve,
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

export async function benchProcess(options: ProcessOptions) {
  const log = options.log ?? (() => undefined);
  log('process: npm run build (tsc -p tsconfig.build.json)');
  const built = await build();
  const fake = await startFakeSlack();
  const ferret = await startFerretDb();
  const run = async (what: string, args: string[], mode: Mode, settleMs = options.settleMs) => {
    log(`process: ${what}`);
    return measure(args, fake.apiUrl, settleMs, mode).catch((error: unknown) => ({
      error: (error as Error).message,
    }));
  };
  try {
    const production: Mode = { sandbox: false, mongoUri: `${ferret.uri.replace(/\/$/, '')}/amibot_bench_process` };
    const hasDist = existsSync(join(REPO_ROOT, 'dist/main.js'));
    const missing = { error: 'dist/main.js was not built' };
    const image = ['dist/main.js'];
    const smallYoung = ['--max-semi-space-size=2', 'dist/main.js'];
    const prod = hasDist ? await run('node dist/main.js (production mode)', image, production) : missing;
    const sandbox = hasDist ? await run('node dist/main.js (sandbox mode)', image, { sandbox: true }) : missing;
    const prodSmallYoung = hasDist
      ? await run(`node ${smallYoung.join(' ')} (production mode)`, smallYoung, production, 20_000)
      : missing;
    const tsx = await run(
      'node --import tsx src/main.ts (sandbox mode)',
      ['--import', 'tsx', 'src/main.ts'],
      { sandbox: true },
      15_000,
    );
    const attribution = await rssAttribution().catch((error: unknown) => ({ error: String(error).slice(0, 200) }));
    const main = 'startup_ms' in prod ? prod : undefined;
    return {
      idle_rss_mb: main?.idle_rss_mb ?? null,
      startup_ms: main?.startup_ms ?? null,
      entry: "node dist/main.js (the Dockerfile's command), production mode: MongoDB, AWS SDK loaded",
      build: built,
      production: prod,
      sandbox,
      production_max_semi_space_2: prodSmallYoung,
      tsx_sandbox: tsx,
      rss_after_imports_mb: attribution,
      settle_ms: options.settleMs,
    };
  } finally {
    await ferret.stop();
    await fake.close();
  }
}
