// What operators read: a cancel (of a bake or an AMI test) is an info line, not a warning with a stack trace, and
// a request without a response_url is one info line too. The real bot, its real pino logger, signed requests.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { ADMIN, type Harness, OPS, SIGNING_SECRET, startHarness } from '../support/bot-harness.js';
import { bake, rolloutHarness, until } from '../support/rollout-harness.js';
import { blockActionPayload, postRawSigned } from '../support/slack-signing.js';

interface Line {
  level: number;
  msg: string;
  err?: { stack?: string };
  [key: string]: unknown;
}

function capture() {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split('\n')) if (text.trim()) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination: sink }), lines };
}

const WARN = 40;
const withStack = (lines: Line[]) => lines.filter((l) => l.level >= WARN && JSON.stringify(l).includes('"stack"'));

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('quiet, readable logs', () => {
  it('cancelling a bake logs info lines, no warning with a stack trace', async () => {
    const { logger, lines } = capture();
    h = await startHarness({ logger });
    await h.slash('bake', { responseId: 'b' });
    const [running] = await until('the bake', async () => {
      const list = await h!.store.bakes.listRecent(1);
      return list[0]?.rootTs ? list : undefined;
    });
    await h.slash(`cancel ${running!._id}`, { responseId: 'c' });
    await until(
      'the cancel',
      async () => {
        const b = await h!.store.bakes.get(running!._id);
        return b?.status === 'cancelled' ? b : undefined;
      },
      30_000,
    );
    await h.bot.runner.idle();
    expect(lines.some((l) => l.msg === 'bake cancelled; compensating' && l.level === 30)).toBe(true);
    expect(withStack(lines)).toEqual([]);
  }, 60_000);

  it('cancelling an AMI test logs no warning with a stack trace', async () => {
    const { logger, lines } = capture();
    h = await rolloutHarness(undefined, { logger });
    const baked = await bake(h);
    await h.click(ACTION_IDS.testAmi, baked._id, { responseId: 't' });
    expect(await h.answer('t')).toMatch(/^Test test-/);
    const [test] = await h.store.amiTests.listRecent(1);
    await h.click(ACTION_IDS.cancelTest, test!._id, { responseId: 'ct' });
    expect(await h.answer('ct')).toMatch(/^Cancelling test/);
    await h.bot.rollout.idle();
    expect((await h.store.amiTests.get(test!._id))?.status).toBe('cancelled');
    expect(withStack(lines)).toEqual([]);
  }, 60_000);

  it('a command or a click without response_url: answered 200, one info line, no stack trace', async () => {
    const { logger, lines } = capture();
    h = await startHarness({ memoryState: true, logger });
    const command = new URLSearchParams({
      team_id: 'T1',
      channel_id: OPS,
      user_id: ADMIN,
      command: '/ami',
      text: 'help',
      trigger_id: '1.1.no-response-url',
    }).toString();
    const sent = await postRawSigned(h.url, SIGNING_SECRET, command, 'application/x-www-form-urlencoded');
    expect(sent.status).toBe(200);
    const { response_url: _dropped, ...click } = blockActionPayload({
      actionId: ACTION_IDS.cancelBake,
      value: 'bake-20261128-none',
      userId: ADMIN,
      channelId: OPS,
      messageTs: '1700000000.000100',
    });
    const clicked = await postRawSigned(
      h.url,
      SIGNING_SECRET,
      new URLSearchParams({ payload: JSON.stringify(click) }).toString(),
      'application/x-www-form-urlencoded',
    );
    expect(clicked.status).toBe(200);
    await until('two log lines', async () => {
      const found = lines.filter((l) => l.msg.startsWith('no response_url'));
      return found.length >= 2 ? found : undefined;
    });
    for (const line of lines.filter((l) => l.msg.startsWith('no response_url'))) expect(line.level).toBe(30);
    expect(withStack(lines)).toEqual([]);
  });
});
