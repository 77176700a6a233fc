import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type Harness, OPS, SIGNING_SECRET, startHarness } from '../support/bot-harness.js';
import { sendSlashCommand, signedHeaders } from '../support/slack-signing.js';

describe('the real Bolt app behind signed Slack requests', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers /ami help through response_url with every command', async () => {
    const res = await h.slash('help', { responseId: 'help1' });
    expect(res.status).toBe(200);
    const text = await h.answer('help1');
    for (const command of ['/ami bake', '/ami status', '/ami cancel', '/ami help']) expect(text).toContain(command);
    const call = h.fake.callsTo('response_url').find((c) => c.responseId === 'help1');
    expect(call?.args.response_type).toBe('ephemeral');
  });

  it('answers an unknown subcommand with help and changes nothing', async () => {
    await h.slash('deploy everything', { responseId: 'unknown1' });
    const text = await h.answer('unknown1');
    expect(text).toContain('`deploy` is not an ami-bot command');
    expect(text).toContain('/ami bake');
    expect(await h.store.bakes.listRecent(5)).toHaveLength(0);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('refuses a command from outside the ops channels', async () => {
    await h.slash('bake', { channelId: 'C0RANDOM1', responseId: 'chan1' });
    expect(await h.answer('chan1')).toContain('only takes commands in its ops channel');
    expect(await h.store.bakes.listRecent(5)).toHaveLength(0);
  });

  it('refuses a command from a non-admin', async () => {
    await h.slash('bake', { userId: 'U0INTRUDER', responseId: 'user1' });
    expect(await h.answer('user1')).toContain('Only ami-bot admins');
    expect(await h.store.bakes.listRecent(5)).toHaveLength(0);
  });

  it('rejects a forged signature and a stale timestamp with 401, running nothing', async () => {
    const before = h.fake.calls.length;
    const forged = await sendSlashCommand(
      h.url,
      SIGNING_SECRET,
      { text: 'help', userId: ADMIN, channelId: OPS, responseUrl: h.fake.responseUrl('forged') },
      { forgeSignature: true },
    );
    expect(forged.status).toBe(401);
    const stale = await sendSlashCommand(
      h.url,
      SIGNING_SECRET,
      { text: 'help', userId: ADMIN, channelId: OPS, responseUrl: h.fake.responseUrl('stale') },
      { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 },
    );
    expect(stale.status).toBe(401);
    await h.settle();
    expect(h.fake.calls.length).toBe(before);
  });

  it('acks a click on a button it no longer has (an old message) and does nothing else', async () => {
    const before = h.fake.calls.length;
    const res = await h.click('ami_retired_button', 'anything', { responseId: 'retired1' });
    expect(res.status).toBe(200);
    // A real button afterwards is still answered: the router serves both through one Bolt listener.
    await h.click('ami_bake_cancel', 'bake-20260101-zzzz', { responseId: 'cancel-after-retired' });
    expect(await h.answer('cancel-after-retired')).toContain('bake-20260101-zzzz');
    expect(h.fake.calls.filter((c) => c.responseId === 'retired1')).toHaveLength(0);
    expect(h.fake.calls.slice(before).every((c) => c.method === 'response_url')).toBe(true);
  });

  it('serves /healthz and /readyz', async () => {
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('refuses /ami images for a deployment not configured or a name that is not one, changing nothing', async () => {
    await h.slash('images nowhere', { responseId: 'images2' });
    expect(await h.answer('images2')).toContain('No deployment nowhere is configured');
    await h.slash('images <!channel>', { responseId: 'images3' });
    expect(await h.answer('images3')).toContain('lowercase letters, digits and dashes');
  });

  it('a malformed status id gets a clear answer and reaches no database filter', async () => {
    await h.slash('status {"$ne":null}', { responseId: 'inj1' });
    expect(await h.answer('inj1')).toContain('is not a bake id');
  });
});

describe('/ami images on the simulated account', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ domino: true, memoryState: true });
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers with the inventory, the cost labelled an estimate, and the orphan sweep', async () => {
    await h.slash('images acme', { responseId: 'images1' });
    const text = await h.answer('images1');
    expect(text).toContain('AMIs of acme:');
    expect(text).toContain('(estimate)');
    const call = h.fake.callsTo('response_url').find((c) => c.responseId === 'images1');
    expect(call?.args.response_type).toBe('ephemeral');
    expect(JSON.stringify(call?.args.blocks)).toContain('Orphan sweep: 0 orphans');
  });
});

describe('the App Home tab', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('publishes the recent bakes and the commands when a user opens it', async () => {
    const body = JSON.stringify({
      type: 'event_callback',
      team_id: 'T1',
      api_app_id: 'A1',
      event_id: 'Ev1',
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user: ADMIN, channel: 'D0HOME', tab: 'home', event_ts: '1.2' },
    });
    const res = await fetch(`${h.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedHeaders(SIGNING_SECRET, body) },
      body,
    });
    expect(res.status).toBe(200);
    const call = await h.fake.waitFor((c) => c.method === 'views.publish');
    expect(call.args.user_id).toBe(ADMIN);
    const view = JSON.stringify(call.args.view);
    expect(view).toContain('No bakes yet');
    expect(view).toContain('/ami bake');
  });
});
