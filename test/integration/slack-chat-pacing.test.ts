import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackChat } from '../../src/adapters/slack/slack-chat.js';
import { eachLimited } from '../../src/shared/async-queue.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { dmUser, type FakeSlack, startFakeSlack } from '../support/fake-slack.js';

const USERS = 200;
const LIMIT = 40;

describe('the Slack ChatPort under a per-method limit', () => {
  let fake: FakeSlack;
  beforeAll(async () => {
    fake = await startFakeSlack({ rateLimits: { 'chat.postMessage': LIMIT } });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('learns the limit from the first full window and then keeps within it: every DM once, few 429s', async () => {
    const chat = createSlackChat({
      client: new WebClient('xoxb-test_not_a_real_token', {
        slackApiUrl: fake.apiUrl,
        rejectRateLimitedCalls: true,
        retryConfig: { retries: 0 },
      }),
      logger: createSilentLogger(),
    });
    const users = Array.from({ length: USERS }, (_, i) => `U${String(i).padStart(6, '0')}`);
    const started = Date.now();
    // 16 lanes, as the announcement runs them: unpaced, every lane meets the full window every second.
    await eachLimited(users, 16, async (user) => {
      await chat.dm(user, `hello ${user}`);
    });
    const posts = fake.callsTo('chat.postMessage');
    const delivered = posts.filter((c) => c.status === 200).map((c) => dmUser(c));
    expect(delivered.sort()).toEqual(users);
    const refusedAfterFirstWindow = posts.filter((c) => c.status === 429 && c.at > started + 1_500);
    // Unpaced, 16 lanes collect about 16 refusals a second here; paced, the rate only probes upwards slowly.
    expect(refusedAfterFirstWindow.length).toBeLessThan(16);
    // 200 posts at 40 a second cannot take less than 4 s; pacing must not make it much slower.
    expect((Date.now() - started) / 1000).toBeLessThan(9);
  }, 30_000);
});
