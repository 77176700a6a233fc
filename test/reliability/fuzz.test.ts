import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAKE_ID_PATTERN } from '../../src/bake/bake-record.js';
import { validateImageReference } from '../../src/bake/image-reference.js';
import { createRandom, type SimRandom } from '../../src/sim/random.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { type Harness, SIGNING_SECRET, startHarness } from '../support/bot-harness.js';
import { postRawSigned } from '../support/slack-signing.js';

const SUBCOMMANDS = ['', 'help', 'bake', 'status', 'cancel', 'test', 'plan', 'revert', 'drain', 'history', 'review'];
const NASTY = [
  '{"$ne": null}',
  '{"$gt": ""}',
  '$(rm -rf /)',
  '`reboot`',
  "'; DROP TABLE tiers; --",
  'a;b|c&d',
  '\n\r\t',
  '--images',
  '--images=quay.io/x:1,$(id)',
  '--note',
  '--no-reboot',
  '--at "2026-13-45 99:99"',
  'bake-20261128-abcd',
  'chg-00000000',
  'ami-0123456789abcdef0',
  '🦄🚀',
  'ｆｕｌｌｗｉｄｔｈ',
  '\u0000\u200b\u202e',
  'UPPER/Case:TAG',
  'quay.io/domino/base:DED_py3.6_R3.4_23052018',
  '"unterminated',
  '__proto__',
  'constructor',
];

function randomText(random: SimRandom): string {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random.next() * items.length)]!;
  const roll = random.next();
  if (roll < 0.03) return 'x'.repeat(10_000 + Math.floor(random.next() * 1_000));
  if (roll < 0.1)
    return Array.from({ length: 40 }, () => String.fromCharCode(Math.floor(random.next() * 0xffff))).join('');
  const words = [pick(SUBCOMMANDS)];
  const extra = Math.floor(random.next() * 4);
  for (let i = 0; i < extra; i++) words.push(pick(NASTY));
  return words.join(' ');
}

const BUTTONS = Object.values(ACTION_IDS);

describe('fuzzing /ami and buttons through the real app', () => {
  let h: Harness;
  const idsSeenByStore: unknown[] = [];
  const pullRefs: string[] = [];

  beforeAll(async () => {
    h = await startHarness({
      wrap: ({ ec2, ssm }) => ({
        ec2,
        ssm: {
          ...ssm,
          sendShellCommand: (input) => {
            for (const line of input.commands) {
              const match = /^docker pull '(.*)'$/.exec(line);
              if (match) pullRefs.push(match[1]!);
            }
            return ssm.sendShellCommand(input);
          },
        },
      }),
    });
    for (const method of ['get', 'requestCancel'] as const) {
      const original = h.store.bakes[method].bind(h.store.bakes) as (...args: never[]) => Promise<unknown>;
      (h.store.bakes as unknown as Record<string, unknown>)[method] = (id: unknown, ...rest: never[]) => {
        idsSeenByStore.push(id);
        return original(id as never, ...rest);
      };
    }
  });
  afterAll(async () => {
    await h.bot.runner.idle();
    await h.close();
  });

  it('2,000 random commands and button payloads: a clear answer each time, nothing unchecked reaches SSM or MongoDB', async () => {
    const random = createRandom(2026);
    const requests: Array<() => Promise<{ status: number; id: string }>> = [];
    for (let i = 0; i < 2_000; i++) {
      const id = `fz${i}`;
      if (random.next() < 0.7) {
        const text = randomText(random);
        requests.push(async () => ({ status: (await h.slash(text, { responseId: id })).status, id }));
      } else {
        const actionId = BUTTONS[Math.floor(random.next() * BUTTONS.length)]!;
        const value = randomText(random).slice(0, 2_000);
        const userId = random.next() < 0.2 ? 'U0STRANGER' : undefined;
        requests.push(async () => ({
          status: (await h.click(actionId, value, { responseId: id, ...(userId ? { userId } : {}) })).status,
          id,
        }));
      }
    }
    const results: Array<{ status: number; id: string }> = [];
    for (let i = 0; i < requests.length; i += 25) {
      results.push(...(await Promise.all(requests.slice(i, i + 25).map((send) => send()))));
    }
    expect(results.filter((result) => result.status !== 200)).toEqual([]);

    // Answers go to response_url after the ack, so the last ones may still be on their way when the sends return:
    // wait for each (h.answer waits up to 5 s) instead of reading the calls at one instant.
    const answered = new Map<string, string>();
    for (const result of results) {
      answered.set(result.id, await h.answer(result.id).catch(() => ''));
    }
    const unanswered = results.filter((result) => !answered.get(result.id));
    expect(unanswered.map((result) => result.id)).toEqual([]);
    for (const text of answered.values()) {
      expect(text).not.toMatch(/\bat \S+\.(ts|js):\d+/); // no stack traces
      expect(text.length).toBeLessThanOrEqual(4_000);
    }

    for (const id of idsSeenByStore) expect(typeof id === 'string' && BAKE_ID_PATTERN.test(id), String(id)).toBe(true);
    for (const ref of pullRefs) expect(validateImageReference(ref).ok, ref).toBe(true);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  }, 180_000);

  it('500 signed bodies that are not Slack payloads (null, arrays, numbers, strings, broken JSON, odd shapes): each answered 400 or 200 at once, the process keeps serving', async () => {
    const random = createRandom(7);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random.next() * items.length)]!;
    const values: unknown[] = [
      null,
      [],
      [null],
      [{ type: 'block_actions' }],
      0,
      -1.5,
      1e300,
      '',
      'payload',
      true,
      false,
      {},
      { type: null },
      { type: 'block_actions', actions: null },
      { type: 'block_actions', user: null, actions: [{ action_id: 'ami_approve' }] },
      { type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 5 }] },
      { type: 'event_callback', event: [] },
      { command: ['/ami'], user_id: 'U1', channel_id: 'C1' },
      { command: '/ami', user_id: null, channel_id: 'C1' },
      { command: '/ami', user_id: 'U1', channel_id: 'C1', text: { $ne: null } },
    ];
    const bodies = Array.from({ length: 500 }, () => {
      const roll = random.next();
      if (roll < 0.1) return { body: `{"a":${'['.repeat(Math.floor(random.next() * 50))}`, type: 'application/json' };
      const json = JSON.stringify(pick(values)) ?? 'null';
      if (roll < 0.55)
        return { body: `payload=${encodeURIComponent(json)}`, type: 'application/x-www-form-urlencoded' };
      return { body: json, type: pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded']) };
    });
    const statuses: number[] = [];
    const started = Date.now();
    for (let i = 0; i < bodies.length; i += 25) {
      const batch = bodies.slice(i, i + 25).map(({ body, type }) => postRawSigned(h.url, SIGNING_SECRET, body, type));
      statuses.push(...(await Promise.all(batch)).map((r) => r.status));
    }
    expect(statuses.filter((status) => status !== 400 && status !== 200)).toEqual([]);
    // No request waited for Bolt's 3-second unhandled-request 404.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    const res = await h.slash('help', { responseId: 'after-garbage' });
    expect(res.status).toBe(200);
    expect(String((await h.fake.waitFor((c) => c.responseId === 'after-garbage', 5_000)).args.text)).toContain(
      '/ami bake',
    );
  }, 60_000);
});
