import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type Harness, OPS, SIGNING_SECRET, startHarness } from '../support/bot-harness.js';
import { postRawSigned, signedHeaders } from '../support/slack-signing.js';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** A well-formed click on one of our buttons (from a user who is not an admin: nothing can run). */
const OUR_CLICK = {
  type: 'block_actions',
  user: { id: 'U1' },
  team: { id: 'T1' },
  channel: { id: 'C1' },
  response_url: 'http://127.0.0.1:9/unused',
  actions: [{ action_id: 'ami_approve', value: 'chg-x' }],
};

/** Signed bodies that are not a Slack payload: each must be answered (never a crash, a hang or a 3 s 404). */
const BAD_BODIES: Array<[string, string, string]> = [
  ['form payload=null', 'payload=null', FORM],
  ['form payload=[]', 'payload=%5B%5D', FORM],
  ['form payload=42', 'payload=42', FORM],
  ['form payload="text"', 'payload=%22text%22', FORM],
  ['form payload=true', 'payload=true', FORM],
  ['form payload=garbage', 'payload=%7Bnot%20json', FORM],
  ['form payload=', 'payload=', FORM],
  ['form payload={}', 'payload=%7B%7D', FORM],
  ['form payload=block_actions without actions', `payload=${encodeURIComponent('{"type":"block_actions"}')}`, FORM],
  [
    'form payload=block_actions with null action',
    `payload=${encodeURIComponent('{"type":"block_actions","user":{"id":"U1"},"actions":[null]}')}`,
    FORM,
  ],
  ['form command without user', 'command=%2Fami&text=help', FORM],
  ['form other command', 'command=%2Fother&text=x&user_id=U1&channel_id=C1', FORM],
  [
    'form another app’s button',
    `payload=${encodeURIComponent('{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"other_x"}]}')}`,
    FORM,
  ],
  ['json null', 'null', JSON_TYPE],
  ['json []', '[]', JSON_TYPE],
  ['json 7', '7', JSON_TYPE],
  ['json "x"', '"x"', JSON_TYPE],
  ['json {}', '{}', JSON_TYPE],
  ['json event_callback with event null', '{"type":"event_callback","event":null}', JSON_TYPE],
  ['json event_callback with event "x"', '{"type":"event_callback","event":"x"}', JSON_TYPE],
  ['json unknown type', '{"type":"something_new"}', JSON_TYPE],
  ['json garbage', '{"a":', JSON_TYPE],
  ['text/plain null', 'null', 'text/plain'],
  ['empty body', '', JSON_TYPE],
  // Shapes our checks let through once but Bolt then dereferenced (a 500, or no ack and a 404 after 3-5 s):
  // found by probing the running process with signed requests.
  ...[
    ['channel: null', { channel: null }],
    ['response_urls: null', { response_urls: null, response_url: undefined }],
    ['response_urls: [null]', { response_urls: [null], response_url: undefined }],
    ['a name (Bolt routes it as an options request)', { name: 'x' }],
    ['an event field', { event: 'x' }],
    ['an event: null field', { event: null }],
    // Bolt routes by actions[0] only: ours second meant no listener, and a 404 after 3 s.
    [
      'another app’s action first',
      { actions: [{ action_id: 'other_x' }, { action_id: 'ami_approve', value: 'chg-x' }] },
    ],
  ].map(([name, over]): [string, string, string] => [
    `form block_actions with ${name}`,
    `payload=${encodeURIComponent(JSON.stringify({ ...OUR_CLICK, ...(over as object) }))}`,
    FORM,
  ]),
  ['form /ami with an event field', 'command=%2Fami&text=help&user_id=U1&channel_id=C1&event=x', FORM],
  [
    'json /ami with response_urls: null',
    '{"command":"/ami","text":"help","user_id":"U1","channel_id":"C1","response_urls":null}',
    JSON_TYPE,
  ],
  ...[
    ['app_home_opened, user: null', { type: 'app_home_opened', tab: 'home', user: null }],
    ['app_home_opened, user: 5', { type: 'app_home_opened', tab: 'home', user: 5 }],
    ['app_home_opened, channel: null', { type: 'app_home_opened', tab: 'home', user: 'U1', channel: null }],
    ['app_home_opened, item: 5', { type: 'app_home_opened', tab: 'home', user: 'U1', item: 5 }],
    ['message, item: null', { type: 'message', user: 'U1', item: null }],
    ['function_executed', { type: 'function_executed', function_execution_id: 'Fx', bot_access_token: 'xoxb-x' }],
    ['function_executed, subteam: null', { type: 'function_executed', subteam: null }],
  ].map(([name, event]): [string, string, string] => [
    `json event_callback ${name}`,
    JSON.stringify({ type: 'event_callback', event_id: `Ev-${String(name)}`, event }),
    JSON_TYPE,
  ]),
  [
    'json event_callback with authorizations: [null]',
    '{"type":"event_callback","event_id":"Ev-auth","authorizations":[null],"event":{"type":"app_home_opened","tab":"home","user":"U1"}}',
    JSON_TYPE,
  ],
  [
    'json event_callback with response_urls: null',
    '{"type":"event_callback","event_id":"Ev-urls","response_urls":null,"event":{"type":"app_home_opened","tab":"messages","user":"U1"}}',
    JSON_TYPE,
  ],
];

describe('the Slack edge: no signed body can end the process or leave a request unanswered', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ memoryState: true });
  });
  afterAll(async () => {
    await h.close();
  });

  it.each(BAD_BODIES)('%s → 400 or 200 at once, and the bot still answers', async (_name, body, contentType) => {
    const started = Date.now();
    const res = await postRawSigned(h.url, SIGNING_SECRET, body, contentType);
    expect([200, 400]).toContain(res.status);
    // Bolt answers an unacknowledged request with a 404 after 3 s; ours are answered at once.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });

  it('after all of them a real command still works and nothing was posted', async () => {
    for (const [, body, contentType] of BAD_BODIES) await postRawSigned(h.url, SIGNING_SECRET, body, contentType);
    const res = await h.slash('help', { responseId: 'after-bad' });
    expect(res.status).toBe(200);
    expect(await h.answer('after-bad')).toContain('/ami bake');
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('a response_url that is not text is refused (400) before anything runs: the answer could never be shown', async () => {
    // Bolt's respond() fails on it only after the use case ran: a bake started, its requester never told.
    const bodies = [
      JSON.stringify({
        command: '/ami',
        text: 'bake',
        user_id: ADMIN,
        channel_id: OPS,
        trigger_id: 'T-url-1',
        response_url: 5,
      }),
      JSON.stringify({
        command: '/ami',
        text: 'bake',
        user_id: ADMIN,
        channel_id: OPS,
        trigger_id: 'T-url-2',
        response_url: {},
      }),
    ];
    for (const body of bodies) expect((await postRawSigned(h.url, SIGNING_SECRET, body, JSON_TYPE)).status).toBe(400);
    const click = { ...OUR_CLICK, user: { id: ADMIN }, channel: { id: OPS }, response_url: ['x'] };
    const form = `payload=${encodeURIComponent(JSON.stringify(click))}`;
    expect((await postRawSigned(h.url, SIGNING_SECRET, form, FORM)).status).toBe(400);
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
    expect(await h.store.bakes.listRecent(5)).toHaveLength(0);
  });

  it('a body over the limit is answered 413 and its connection closed: the next request on it is not stuck', async () => {
    // One keep-alive socket, as a client (or a proxy) reusing its connection would. The edge stopped reading the
    // oversized body, so a request queued behind it on the same socket was never read: no answer at all.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          `${h.url}/slack/events`,
          { method: 'POST', agent, headers: { 'content-type': FORM, ...signedHeaders(SIGNING_SECRET, body) } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.setTimeout(2_000, () => req.destroy(new Error('no answer within 2 s')));
        req.on('error', reject);
        req.end(body);
      });
    const huge = send(`command=%2Fami&text=help&user_id=U1&channel_id=C1&x=${'y'.repeat(5 * 1024 * 1024)}`);
    const next = send('command=%2Fami&text=help&user_id=U1&channel_id=C1');
    try {
      expect(await huge).toBe(413);
      expect(await next).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it('an unsigned payload=null is refused with 401, not parsed', async () => {
    const res = await postRawSigned(h.url, `${SIGNING_SECRET}-wrong`, 'payload=null', FORM);
    expect(res.status).toBe(401);
  });

  it('Slack’s ssl_check and url_verification still get their answers', async () => {
    const ssl = await postRawSigned(h.url, SIGNING_SECRET, 'ssl_check=1&token=x', FORM);
    expect(ssl.status).toBe(200);
    const challenge = await postRawSigned(
      h.url,
      SIGNING_SECRET,
      '{"type":"url_verification","challenge":"abc123","token":"x"}',
      JSON_TYPE,
    );
    expect(challenge.status).toBe(200);
    expect(JSON.parse(challenge.body)).toEqual({ challenge: 'abc123' });
  });
});
