import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'ami-bot-review-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the ami-bot process and the review schedule', () => {
  it('refuses to start on an invalid cron expression, with one line naming the key', async () => {
    const file = join(dir, 'ami-bot.yaml');
    writeFileSync(file, 'deployments:\n  - name: acme\n    review:\n      schedule: "0 25 1 */3 *"\n');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        SLACK_BOT_TOKEN: 'xoxb-x',
        SLACK_SIGNING_SECRET: 'process-test-signing-secret',
        AMIBOT_OPS_CHANNELS: 'C0OPS00001',
        AMIBOT_ADMINS: 'U0ADMIN01',
        AMIBOT_SANDBOX: '1',
        AMIBOT_CONFIG: file,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toBe(
      'ami-bot: Invalid configuration: deployments.0.review.schedule: "0 25 1 */3 *" is not a valid cron expression (e.g. 0 9 1 1,4,7,10 *)\n',
    );
  }, 30_000);
});
