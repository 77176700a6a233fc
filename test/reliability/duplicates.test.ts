import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { createSimWorld, seedDemoWorld } from '../../src/sim/sim-world.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { ADMIN, type Harness, OPS, SIGNING_SECRET, startHarness } from '../support/bot-harness.js';
import { until } from '../support/crash-resume.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { uniqueDbName } from '../support/mongo.js';
import { sendBlockAction, sendSlashCommand } from '../support/slack-signing.js';

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

/** Two bot processes on one database and one (simulated) AWS account, as two replicas would be. */
async function twoReplicas() {
  const shared = {
    world: seedDemoWorld(createSimWorld({ deployment: 'acme' })),
    // One manual clock for both: time moves only while the test waits, for both replicas alike.
    clock: createManualClock(new Date()),
    fake: await startFakeSlack(),
    database: uniqueDbName('dup'),
  };
  const a = await startHarness(shared);
  const b = await startHarness(shared);
  open.push(a, b);
  return { a, b, ...shared };
}

describe('duplicate and concurrent deliveries', () => {
  it('/ami bake delivered 10 times to two replicas at once (retries, double submits) bakes once', async () => {
    // The bake is still running when the last duplicate arrives: no time passes until the test waits.
    const { a, b, world, fake } = await twoReplicas();
    const sends = Array.from({ length: 10 }, (_, i) =>
      sendSlashCommand(
        (i % 2 === 0 ? a : b).url,
        SIGNING_SECRET,
        { text: 'bake', userId: ADMIN, channelId: OPS, responseUrl: fake.responseUrl(`dup${i}`) },
        i > 0 ? { retryNum: i, retryReason: 'http_timeout' } : {},
      ),
    );
    expect((await Promise.all(sends)).map((r) => r.status)).toEqual(Array(10).fill(200));
    const bakes = await a.store.bakes.listRecent(20);
    expect(bakes).toHaveLength(1);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => a.answer(`dup${i}`)));
    expect(answers.filter((text) => text.includes('started'))).toHaveLength(1);
    expect(answers.filter((text) => text.includes('already running'))).toHaveLength(9);

    await a.slash(`cancel ${bakes[0]!._id}`, { responseId: 'stop' });
    const done = await until(async () => {
      const bake = await a.store.bakes.get(bakes[0]!._id);
      return bake && ['succeeded', 'failed', 'cancelled'].includes(bake.status) ? bake : undefined;
    }, 60_000);
    await Promise.all([a.bot.runner.idle(), b.bot.runner.idle()]);
    expect(done.status).toBe('cancelled');
    expect(world.commands.filter((c) => c.commands.join('\n').includes('state.highstate')).length).toBeLessThanOrEqual(
      1,
    );
    const template = [...world.instances.values()].find((i) => i.tags.Name?.includes('executor-template'))!;
    expect(template.state).toBe('stopped');
    // A new bake is accepted once the first has ended: the lock was released.
    await b.slash('bake', { responseId: 'after' });
    expect(await b.answer('after')).toContain('started');
  }, 90_000);

  it('Cancel clicked 10 times on both replicas cancels once and cleans up once', async () => {
    const { a, b, world, fake } = await twoReplicas();
    await a.slash('bake', { responseId: 'start' });
    const [bake] = await until(async () => {
      const list = await a.store.bakes.listRecent(1);
      return list[0]?.steps['start-template']?.state === 'running' ? list : undefined;
    });
    const clicks = Array.from({ length: 10 }, (_, i) =>
      sendBlockAction((i % 2 === 0 ? a : b).url, SIGNING_SECRET, {
        actionId: ACTION_IDS.cancelBake,
        value: bake!._id,
        userId: ADMIN,
        channelId: OPS,
        messageTs: bake!.rootTs!,
        responseUrl: fake.responseUrl(`cancel${i}`),
      }),
    );
    expect((await Promise.all(clicks)).every((r) => r.status === 200)).toBe(true);
    const ended = await until(async () => {
      const current = await a.store.bakes.get(bake!._id);
      return current && !['running', 'compensating'].includes(current.status) ? current : undefined;
    }, 60_000);
    await Promise.all([a.bot.runner.idle(), b.bot.runner.idle()]);
    expect(ended.status).toBe('cancelled');
    expect(ended.cancelRequested?.by).toBe(ADMIN);
    const template = [...world.instances.values()].find((i) => i.tags.Name?.includes('executor-template'))!;
    expect(template.state).toBe('stopped');
    const cancelledNotes = fake
      .callsTo('chat.postMessage')
      .filter((call) => String(call.args.text).includes(`Bake ${bake!._id} cancelled`));
    expect(cancelledNotes).toHaveLength(1);
  }, 90_000);
});
