import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { getFreePort } from '../support/free-port.js';
import { mongoTestUri } from '../support/mongo.js';
import { postRawSigned, sendSlashCommand } from '../support/slack-signing.js';
import { waitForHttp } from '../support/wait-for-http.js';

const SECRET = 'process-test-signing-secret';

function runMain(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function collect(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('the ami-bot process', () => {
  it('stops on bad configuration with one clear line and no stack trace', async () => {
    const result = await collect(
      runMain({ SLACK_BOT_TOKEN: 'xoxb-x', AMIBOT_OPS_CHANNELS: 'general', AMIBOT_ADMINS: 'U0ADMIN1' }),
    );
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('AMIBOT_OPS_CHANNELS: expected a Slack channel id');
    expect(lines[0]).toContain('AMIBOT_DEPLOYMENT: missing');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  describe('in sandbox mode with only the four required settings', () => {
    let fake: FakeSlack;
    let child: ChildProcess;
    let port: number;
    let exited: Promise<{ code: number | null; stdout: string; stderr: string }>;

    beforeAll(async () => {
      fake = await startFakeSlack();
      port = await getFreePort();
      child = runMain({
        SLACK_BOT_TOKEN: 'xoxb-sandbox_not_real',
        SLACK_SIGNING_SECRET: SECRET,
        AMIBOT_OPS_CHANNELS: 'C0OPS00001',
        AMIBOT_ADMINS: 'U0ADMIN01',
        AMIBOT_SANDBOX: '1',
        SLACK_API_URL: fake.apiUrl,
        PORT: String(port),
        AMIBOT_STATE_MONGODB_URI: mongoTestUri(),
        AMIBOT_SIM_SPEED: '2000',
        LOG_LEVEL: 'warn',
      });
      exited = collect(child);
      await waitForHttp(`http://127.0.0.1:${port}/healthz`);
    }, 40_000);

    afterAll(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await fake.close();
    });

    it('serves /healthz and /readyz (MongoDB reachable)', async () => {
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    });

    it('answers a signed /ami help', async () => {
      const res = await sendSlashCommand(`http://127.0.0.1:${port}`, SECRET, {
        text: 'help',
        userId: 'U0ADMIN01',
        channelId: 'C0OPS00001',
        responseUrl: fake.responseUrl('proc-help'),
      });
      expect(res.status).toBe(200);
      const call = await fake.waitFor((c) => c.responseId === 'proc-help', 10_000);
      expect(String(call.args.text)).toContain('/ami bake');
    });

    it('survives signed payload=null, JSON null, an array and a number (each answered), and still serves', async () => {
      const base = `http://127.0.0.1:${port}`;
      const bodies: Array<[string, string]> = [
        ['payload=null', 'application/x-www-form-urlencoded'],
        ['null', 'application/json'],
        ['[1,2]', 'application/json'],
        ['payload=7', 'application/x-www-form-urlencoded'],
      ];
      for (const [body, type] of bodies) expect((await postRawSigned(base, SECRET, body, type)).status).toBe(400);
      expect(child.exitCode).toBeNull();
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    });

    it('runs a bake on the simulator, every root message saying it is a sandbox', async () => {
      const res = await sendSlashCommand(`http://127.0.0.1:${port}`, SECRET, {
        text: 'bake',
        userId: 'U0ADMIN01',
        channelId: 'C0OPS00001',
        responseUrl: fake.responseUrl('proc-bake'),
      });
      expect(res.status).toBe(200);
      const answer = await fake.waitFor((c) => c.responseId === 'proc-bake', 10_000);
      expect(String(answer.args.text)).toContain('started');
      const root = await fake.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === undefined, 10_000);
      expect(JSON.stringify(root.args.blocks)).toContain('Sandbox');
      const finished = await fake.waitFor(
        (c) => c.method === 'chat.postMessage' && /Bake bake-\S+ finished: ami-/.test(String(c.args.text)),
        30_000,
      );
      expect(finished.args.thread_ts).toBe(root.response && (root.response as { ts?: string }).ts);
    }, 40_000);

    it('shuts down cleanly on SIGTERM, logging no secret', async () => {
      child.kill('SIGTERM');
      const result = await exited;
      expect(result.code).toBe(0);
      const output = result.stdout + result.stderr;
      expect(output).not.toContain('xoxb-sandbox_not_real');
      expect(output).not.toContain(SECRET);
      // One admin, no approvers: start-up warned that nothing can be approved, naming what to set; and it said
      // what this sandbox keeps across a restart and that its time is simulated.
      expect(output).toContain('No planned change can ever be approved');
      expect(output).toContain('add a second admin to AMIBOT_ADMINS');
      expect(output).toContain('the bot state is in MongoDB and survives restarts');
      expect(output).toContain('simulated time runs ×2000 (AMIBOT_SIM_SPEED)');
    }, 30_000);
  });
});

describe('start-up against a Slack that refuses the token', () => {
  it('stops with one clear line, no stack trace', async () => {
    const fake = await startFakeSlack();
    fake.onCall('auth.test', () => ({ ok: false, error: 'invalid_auth' }));
    const port = await getFreePort();
    const result = await collect(
      runMain({
        SLACK_BOT_TOKEN: 'xoxb-revoked_token_value',
        SLACK_SIGNING_SECRET: SECRET,
        AMIBOT_OPS_CHANNELS: 'C0OPS00001',
        AMIBOT_ADMINS: 'U0ADMIN01',
        AMIBOT_SANDBOX: '1',
        SLACK_API_URL: fake.apiUrl,
        PORT: String(port),
        LOG_LEVEL: 'silent',
      }),
    );
    await fake.close();
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('Slack did not accept the bot token');
    expect(result.stderr).not.toContain('xoxb-revoked_token_value');
  }, 30_000);
});
