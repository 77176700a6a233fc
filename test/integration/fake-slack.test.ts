// Proves the fake Slack API speaks what @slack/web-api (Bolt's client) sends and expects, faults included.
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';

describe('fake Slack Web API', () => {
  let fake: FakeSlack;
  let client: webApi.WebClient;

  beforeAll(async () => {
    fake = await startFakeSlack({ usersByEmail: { 'ann@example.com': 'U7' }, usergroups: { S1: ['U7', 'U8'] } });
    client = new webApi.WebClient('xoxb-test', {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 0 },
      logLevel: webApi.LogLevel.ERROR,
    });
  });
  afterAll(() => fake?.close());
  beforeEach(() => fake.reset());

  it('answers with sensible defaults and unique increasing ts', async () => {
    const a = await client.chat.postMessage({ channel: 'C1', text: 'a' });
    const b = await client.chat.postMessage({ channel: 'C1', text: 'b' });
    expect(a).toMatchObject({ ok: true, channel: 'C1', ts: '1700000000.000100' });
    expect(Number(b.ts)).toBeGreaterThan(Number(a.ts));
    expect(await client.conversations.open({ users: 'U7' })).toMatchObject({ channel: { id: 'DU7' } });
    expect(await client.users.lookupByEmail({ email: 'ann@example.com' })).toMatchObject({ user: { id: 'U7' } });
    await expect(client.users.lookupByEmail({ email: 'x@example.com' })).rejects.toMatchObject({
      data: { error: 'users_not_found' },
    });
    expect(await client.usergroups.users.list({ usergroup: 'S1' })).toMatchObject({ users: ['U7', 'U8'] });
    expect((await client.chat.getPermalink({ channel: 'C1', message_ts: a.ts! })).permalink).toContain('/C1/p');
    expect(await client.chat.postEphemeral({ channel: 'C1', user: 'U7', text: 'e' })).toMatchObject({ ok: true });
    expect(await client.auth.test()).toMatchObject({ user_id: 'U1', bot_id: 'B1' });
  });

  it('parses JSON bodies as well as form bodies', async () => {
    await client.apiCall('chat.update', { channel: 'C1', ts: '1.2', text: 'x', blocks: [{ type: 'divider' }] });
    const res = await fetch(`${fake.apiUrl}chat.update`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: 'Bearer xoxb-json' },
      body: JSON.stringify({ channel: 'C2', ts: '1.3', blocks: [{ type: 'divider' }] }),
    });
    expect(await res.json()).toMatchObject({ ok: true, ts: '1.3' });
    const [form, json] = fake.callsTo('chat.update');
    expect(form?.args.blocks).toEqual([{ type: 'divider' }]);
    expect(json).toMatchObject({ token: 'xoxb-json', args: { channel: 'C2', blocks: [{ type: 'divider' }] } });
  });

  it('injects scripted faults once, then recovers', async () => {
    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    await expect(client.chat.postMessage({ channel: 'C404', text: 'x' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    fake.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 0 });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toThrow(/rate limit/i);
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).resolves.toMatchObject({ ok: true });
    expect(fake.callsTo('chat.postMessage').map((c) => c.status)).toEqual([200, 429, 200]);
  });

  it('rate limits per method with 429 and Retry-After', async () => {
    fake.setRateLimit('chat.update', 2);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${fake.apiUrl}chat.update`, { method: 'POST', body: 'channel=C1&ts=1.1' });
      statuses.push(res.status);
      if (res.status === 429) expect(res.headers.get('retry-after')).toBe('1');
    }
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('lets onCall hooks answer and waitFor wait', async () => {
    const off = fake.onCall('views.open', () => ({ ok: true, view: { id: 'VCUSTOM' } }));
    setTimeout(
      () =>
        void client.views.open({
          trigger_id: 't',
          view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] },
        }),
      50,
    );
    const call = await fake.waitFor((c) => c.method === 'views.open', 2_000);
    expect(call.args.view).toMatchObject({ type: 'modal' });
    expect(call.response).toEqual({ ok: true, view: { id: 'VCUSTOM' } });
    off();
    await expect(fake.waitFor((c) => c.method === 'nope', 100)).rejects.toThrow(/views.open/);
  });
});
