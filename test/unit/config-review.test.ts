import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const env = {
  SLACK_BOT_TOKEN: 'xoxb-test_token',
  SLACK_SIGNING_SECRET: 'signing-secret-123',
  AMIBOT_OPS_CHANNELS: 'C0OPS1',
  AMIBOT_ADMINS: 'U0ADMIN1',
  MONGODB_URI: 'mongodb://127.0.0.1:27017/domino',
  AMIBOT_CONFIG: '/etc/ami-bot.yaml',
};

const yaml =
  (schedule: string, extra = '') =>
  () =>
    `deployments:\n  - name: acme\n  - name: beta\n    review:\n      schedule: "${schedule}"\n${extra}`;

function startUpError(readFile: () => string): string {
  try {
    loadConfig(env, readFile);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected start-up to stop with a ConfigError');
}

describe('review schedule in the configuration', () => {
  it('defaults to 09:00 on the first day of each quarter and keeps a valid custom schedule', () => {
    const config = loadConfig(env, yaml('0 8 * * 1', '      timeZone: America/New_York\n'));
    expect(config.deployments[0]?.review).toMatchObject({
      schedule: '0 9 1 1,4,7,10 *',
      followUpDays: 7,
      maxFollowUps: 3,
      catchUpGraceHours: 6,
    });
    expect(config.deployments[1]?.review).toMatchObject({ schedule: '0 8 * * 1', timeZone: 'America/New_York' });
  });

  it('stops start-up with one line naming the key of an invalid cron expression', () => {
    const message = startUpError(yaml('0 25 * * *'));
    expect(message).toBe(
      'Invalid configuration: deployments.1.review.schedule: "0 25 * * *" is not a valid cron expression (e.g. 0 9 1 1,4,7,10 *)',
    );
    expect(message.split('\n')).toHaveLength(1);
  });

  it('also refuses an expression that can never fire (node-cron would only throw once started)', () => {
    expect(startUpError(yaml('0 9 8 * 1#1'))).toBe(
      'Invalid configuration: deployments.1.review.schedule: "0 9 8 * 1#1" never fires (no date matches it)',
    );
  });
});
