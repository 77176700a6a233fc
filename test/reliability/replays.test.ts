// Replayed and redelivered signed requests run once, on one bot or across two replicas on one database; a
// timestamp from the future is refused before anything runs.
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { createSimWorld, seedDemoWorld } from '../../src/sim/sim-world.js';
import { ADMIN, type Harness, OPS, SIGNING_SECRET, startHarness } from '../support/bot-harness.js';
import { type FakeSlack, type FakeSlackCall, startFakeSlack } from '../support/fake-slack.js';
import { uniqueDbName } from '../support/mongo.js';
import { postRawSigned, type SignOptions, signedHeaders } from '../support/slack-signing.js';

const FORM = 'application/x-www-form-urlencoded';
const isReport = (c: FakeSlackCall) =>
  c.method === 'chat.postMessage' && String(c.args.text).startsWith('AMI review of acme');

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

/** One `/ami <text>` request as Slack would send it: the same bytes every time it is sent. */
function slashBody(fake: FakeSlack, text: string, responseId: string, triggerId?: string): string {
  return new URLSearchParams({
    team_id: 'T1',
    channel_id: OPS,
    user_id: ADMIN,
    command: '/ami',
    text,
    response_url: fake.responseUrl(responseId),
    ...(triggerId ? { trigger_id: triggerId } : {}),
  }).toString();
}

const send = (h: Harness, body: string, opts: SignOptions) => postRawSigned(h.url, SIGNING_SECRET, body, FORM, opts);
/** The replicas' work has settled: every store and chat call the deliveries started has answered. */
const settle = () => Promise.all(open.map((h) => h.settle()));

async function reviewBot(shared: Parameters<typeof startHarness>[0] = {}) {
  const h = await startHarness({ domino: true, clock: createManualClock(new Date('2026-10-20T10:00:00Z')), ...shared });
  open.push(h);
  return h;
}

describe('replayed deliveries', () => {
  it('the same signed /ami review sent 8 times posts one report and answers once', async () => {
    const h = await reviewBot();
    const body = slashBody(h.fake, 'review', 'replay', '1700000001.1.replayed');
    const timestamp = Math.floor(Date.now() / 1000);
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await send(h, body, { timestamp })).status);
    expect(statuses).toEqual(Array(8).fill(200));
    await h.fake.waitFor(isReport, 5_000);
    await settle();
    expect(h.fake.calls.filter(isReport)).toHaveLength(1);
    expect(h.fake.callsTo('response_url').filter((c) => c.responseId === 'replay')).toHaveLength(1);
  });

  it('without a trigger_id the signature is the key: a byte-identical replay runs once', async () => {
    const h = await reviewBot();
    const body = slashBody(h.fake, 'review', 'nosig');
    const timestamp = Math.floor(Date.now() / 1000);
    await Promise.all(Array.from({ length: 5 }, () => send(h, body, { timestamp })));
    await h.fake.waitFor(isReport, 5_000);
    await settle();
    expect(h.fake.calls.filter(isReport)).toHaveLength(1);
  });

  it('two deliveries whose long trigger_ids differ only after 200 characters are two deliveries', async () => {
    const h = await reviewBot();
    const prefix = 'x'.repeat(200);
    for (const [id, trigger] of [
      ['long-a', `${prefix}-a`],
      ['long-b', `${prefix}-b`],
    ] as const) {
      expect((await send(h, slashBody(h.fake, 'help', id, trigger), {})).status).toBe(200);
      expect(String((await h.fake.waitFor((c) => c.responseId === id, 5_000)).args.text)).toContain('/ami bake');
    }
  });

  it('the same signature under a re-spelled timestamp (leading zeros) is refused, not a second delivery', async () => {
    const h = await reviewBot();
    const body = slashBody(h.fake, 'review', 'zeros');
    const headers = signedHeaders(SIGNING_SECRET, body);
    const post = (timestamp: string) =>
      fetch(`${h.url}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': FORM, ...headers, 'x-slack-request-timestamp': timestamp },
        body,
      });
    const timestamp = headers['x-slack-request-timestamp']!;
    expect((await post(timestamp)).status).toBe(200);
    await h.fake.waitFor(isReport, 5_000);
    // Bolt verifies Number(timestamp), so the spelling was free; the delivery key used it as sent.
    for (const spelled of [`0${timestamp}`, `00${timestamp}`]) expect((await post(spelled)).status).toBe(401);
    await settle();
    expect(h.fake.calls.filter(isReport)).toHaveLength(1);
  });

  it("Slack's retries (X-Slack-Retry-Num, new timestamp, same trigger_id) are duplicates of the first", async () => {
    const h = await reviewBot();
    const body = slashBody(h.fake, 'review', 'retry', '1700000002.1.retried');
    const now = Math.floor(Date.now() / 1000);
    expect((await send(h, body, { timestamp: now })).status).toBe(200);
    for (const retryNum of [1, 2, 3]) {
      expect((await send(h, body, { timestamp: now + retryNum, retryNum })).status).toBe(200);
    }
    await h.fake.waitFor(isReport, 5_000);
    await settle();
    expect(h.fake.calls.filter(isReport)).toHaveLength(1);
  });

  it('two replicas on one database receiving the same delivery at once: one report', async () => {
    const shared = {
      world: seedDemoWorld(createSimWorld({ deployment: 'acme' })),
      fake: await startFakeSlack(),
      database: uniqueDbName('replay'),
    };
    const a = await reviewBot(shared);
    const b = await reviewBot(shared);
    const body = slashBody(shared.fake, 'review', 'two', '1700000003.1.both');
    const timestamp = Math.floor(Date.now() / 1000);
    const results = await Promise.all([a, b, a, b].map((h) => send(h, body, { timestamp })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await shared.fake.waitFor(isReport, 5_000);
    await settle();
    expect(shared.fake.calls.filter(isReport)).toHaveLength(1);
    await shared.fake.close();
  });

  it('a timestamp 6 minutes in the future is refused with 401 and nothing runs; 1 minute ahead is fine', async () => {
    const h = await reviewBot();
    const now = Math.floor(Date.now() / 1000);
    const future = await send(h, slashBody(h.fake, 'review', 'future'), { timestamp: now + 6 * 60 });
    expect(future.status).toBe(401);
    const far = await send(h, slashBody(h.fake, 'review', 'far'), { timestamp: now + 10 * 365 * 86_400 });
    expect(far.status).toBe(401);
    const junk = await send(h, slashBody(h.fake, 'review', 'junk'), { timestamp: 'abc' as unknown as number });
    expect(junk.status).toBe(401);
    await settle();
    expect(h.fake.calls.filter(isReport)).toHaveLength(0);
    expect(h.fake.callsTo('response_url')).toHaveLength(0);

    const skewed = await send(h, slashBody(h.fake, 'help', 'skewed'), { timestamp: now + 60 });
    expect(skewed.status).toBe(200);
    expect(String((await h.fake.waitFor((c) => c.responseId === 'skewed', 5_000)).args.text)).toContain('/ami bake');
  });
});
