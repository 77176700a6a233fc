// What the Dockerfile's runtime stage does, without a Docker engine: compile with `npm run build`, install
// production dependencies only (`npm ci --omit=dev`) next to the output in an empty directory, and start
// `node dist/main.js` there the way the pod runs it:
// - as the image's numeric user 1000:1000 (when the tests run as root, as CI does), in a directory it cannot write;
// - under Node's permission model with NO file-system write permission at all: any write the bot attempted
//   would throw ERR_ACCESS_DENIED, so a read-only root file system is safe;
// - with the config file mounted like the ConfigMap (AMIBOT_CONFIG) and its own MongoDB state.
// It must answer /healthz and /readyz, handle a signed `/ami help`, and exit 0 on SIGTERM.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, copyFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { getFreePort } from '../support/free-port.js';
import { mongoTestUri, newMongoClient, uniqueDbName } from '../support/mongo.js';
import { sendSlashCommand } from '../support/slack-signing.js';
import { waitForHttp } from '../support/wait-for-http.js';

const execFileP = promisify(execFile);
// Node 24 knows only --permission; Node 20 (before the move to .node-version's Node) only the experimental flag.
const PERMISSION_FLAG = process.allowedNodeEnvironmentFlags.has('--permission')
  ? '--permission'
  : '--experimental-permission';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'production-build-signing-secret';
const BOT_TOKEN = 'xoxb-prod_build_not_real';
/** The image's `node` user (Dockerfile `USER 1000:1000`, deployment.yaml runAsUser/runAsGroup). */
const IMAGE_UID = 1000;
const runAsImageUser = process.getuid?.() === 0;

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

interface RunningBot {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

describe('the production build', () => {
  const timings: Record<string, number> = {};
  const database = uniqueDbName('prodbuild');
  let app: string;
  let fake: FakeSlack;
  let http: RunningBot;
  const children: ChildProcess[] = [];

  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    try {
      return await work();
    } finally {
      timings[name] = Date.now() - start;
    }
  };

  /** Starts dist/main.js as the pod does: image user, no fs write permission, config file, own state DB. */
  const startBot = async (slackEnv: Record<string, string>): Promise<RunningBot> => {
    const port = await getFreePort();
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [PERMISSION_FLAG, '--allow-fs-read=*', '--no-warnings=ExperimentalWarning', 'dist/main.js'],
      {
        cwd: app,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: app,
          NODE_ENV: 'production',
          SLACK_BOT_TOKEN: BOT_TOKEN,
          ...slackEnv,
          AMIBOT_OPS_CHANNELS: 'C0OPS00001',
          AMIBOT_ADMINS: 'U0ADMIN01',
          AMIBOT_SANDBOX: '1',
          AMIBOT_CONFIG: join(app, 'config.yaml'),
          AMIBOT_STATE_MONGODB_URI: mongoTestUri(),
          SLACK_API_URL: fake.apiUrl,
          PORT: String(port),
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(runAsImageUser ? { uid: IMAGE_UID, gid: IMAGE_UID } : {}),
      },
    );
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const exited = once(child, 'exit').then(([code]) => code as number | null);
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 30_000).catch((error: unknown) => {
      throw new Error(`the built bot did not answer /healthz: ${(error as Error).message}\n${output}`);
    });
    timings[`start to /healthz (${slackEnv.SLACK_APP_TOKEN ? 'socket' : 'http'})`] = Date.now() - started;
    return { child, port, output: () => output, exited };
  };

  /** SIGTERM, then the checks every run must pass: exit 0, no write attempted, no secret, no stack trace. */
  const stopCleanly = async (bot: RunningBot) => {
    const pid = bot.child.pid!;
    if (runAsImageUser) {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      expect(status).toMatch(new RegExp(`^Uid:\\s+${IMAGE_UID}\\s`, 'm'));
      expect(status).toMatch(new RegExp(`^Gid:\\s+${IMAGE_UID}\\s`, 'm'));
    }
    bot.child.kill('SIGTERM');
    const code = await bot.exited;
    const output = bot.output();
    expect(code, output).toBe(0);
    expect(output).toContain('stopped cleanly');
    expect(output).not.toContain('ERR_ACCESS_DENIED');
    expect(output).not.toContain(BOT_TOKEN);
    expect(output).not.toContain(SECRET);
    expect(output).not.toMatch(/\n\s+at /);
  };

  beforeAll(async () => {
    app = await mkdtemp(join(tmpdir(), 'ami-bot-production-'));
    // mkdtemp makes 0700; the image user must be able to read (never write) it, as in the image.
    await chmod(app, 0o755);
    await timed('build', () =>
      execFileP('npm', ['run', 'build', '--', '--outDir', join(app, 'dist')], { cwd: ROOT, timeout: 120_000 }),
    );
    await copyFile(join(ROOT, 'package.json'), join(app, 'package.json'));
    await copyFile(join(ROOT, 'package-lock.json'), join(app, 'package-lock.json'));
    await timed('npm ci --omit=dev', () =>
      execFileP('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
        cwd: app,
        timeout: 120_000,
        env: { ...process.env, NODE_ENV: 'production' },
      }),
    );
    // The ConfigMap's file, with the bot's state in a database of its own for this test.
    await writeFile(join(app, 'config.yaml'), `mongo:\n  stateDatabase: ${database}\n`, { mode: 0o444 });

    fake = await startFakeSlack();
    http = await startBot({ SLACK_SIGNING_SECRET: SECRET });
  }, 240_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await fake?.close();
    const client = newMongoClient();
    await client
      .connect()
      .then(() => client.db(database).dropDatabase())
      .finally(() => client.close());
    if (app) await rm(app, { recursive: true, force: true });
    console.info(
      `production build timings: ${Object.entries(timings)
        .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
        .join(', ')}`,
    );
  }, 30_000);

  it('contains the compiled bot and no sources or tests', async () => {
    expect(await exists(join(app, 'dist', 'main.js'))).toBe(true);
    const top = await readdir(join(app, 'dist'));
    expect(top).not.toContain('test');
    expect(top.filter((name) => name.endsWith('.ts'))).toEqual([]);
  });

  it('installs every production dependency and none of the development tools', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const name of Object.keys(pkg.dependencies)) {
      expect(await exists(join(app, 'node_modules', name, 'package.json')), `${name} missing`).toBe(true);
    }
    // @types/node may come in transitively (Bolt's typings); the tools must not.
    const tools = Object.keys(pkg.devDependencies).filter((name) => !name.startsWith('@types/'));
    expect(tools).toEqual(expect.arrayContaining(['vitest', 'tsx', 'typescript']));
    for (const name of tools) expect(await exists(join(app, 'node_modules', name)), `${name} installed`).toBe(false);
    expect(await exists(join(app, 'node_modules', '.bin', 'vitest'))).toBe(false);
  });

  it('answers /healthz and, with MongoDB reachable, /readyz', async () => {
    const health = await fetch(`http://127.0.0.1:${http.port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`http://127.0.0.1:${http.port}/readyz`)).status).toBe(200);
  });

  it('handles a signed /ami help from the built output', async () => {
    const res = await sendSlashCommand(`http://127.0.0.1:${http.port}`, SECRET, {
      text: 'help',
      userId: 'U0ADMIN01',
      channelId: 'C0OPS00001',
      responseUrl: fake.responseUrl('production-help'),
    });
    expect(res.status).toBe(200);
    const call = await fake.waitFor((c) => c.responseId === 'production-help', 10_000);
    expect(String(call.args.text)).toContain('/ami bake');
  });

  it('ran as the image user without writing a byte to disk, and stops cleanly on SIGTERM', async () => {
    await stopCleanly(http);
  }, 30_000);

  it('serves the probes in Socket Mode too (the Deployment default), and stops cleanly', async () => {
    // The fake Slack gives apps.connections.open no WebSocket URL: the health server must answer regardless.
    const socket = await startBot({ SLACK_APP_TOKEN: 'xapp-production-build-not-real' });
    expect((await fetch(`http://127.0.0.1:${socket.port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${socket.port}/readyz`)).status).toBe(200);
    expect(fake.callsTo('apps.connections.open').length).toBeGreaterThan(0);
    await stopCleanly(socket);
  }, 60_000);
});
