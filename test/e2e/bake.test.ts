import { afterEach, describe, expect, it } from 'vitest';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { BAKE_ID_TAG, CREATED_BY_TAG } from '../../src/bake/image-tags.js';
import type { CreateImageInput } from '../../src/ports/ec2.js';
import { DEMO_IDS } from '../../src/sim/seed-demo-world.js';
import type { SimWorld } from '../../src/sim/sim-world.js';
import { type Harness, startHarness } from '../support/bot-harness.js';
import { driveUntil } from '../support/time-driver.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function template(world: SimWorld) {
  return [...world.instances.values()].find((i) => i.tags.Name?.includes('executor-template'))!;
}

function waitForBake(harness: Harness, predicate: (bake: BakeRecord) => boolean, timeoutMs = 15_000) {
  return driveUntil(
    'the bake to reach the expected state',
    async () => {
      const [bake] = await harness.store.bakes.listRecent(1);
      return bake && predicate(bake) ? bake : undefined;
    },
    { realLimitMs: timeoutMs },
  );
}

const isEnded = (bake: BakeRecord) => ['succeeded', 'failed', 'cancelled'].includes(bake.status);

describe('/ami bake end to end (signed request → real app → simulator → FerretDB → fake Slack)', () => {
  it('bakes an AMI with the seed name, DeleteOnTermination, tags, and stops the template again', async () => {
    const createImageCalls: CreateImageInput[] = [];
    h = await startHarness({
      wrap: ({ ec2, ssm }) => ({
        ssm,
        ec2: {
          ...ec2,
          createImage: (input) => {
            createImageCalls.push(input);
            return ec2.createImage(input);
          },
        },
      }),
    });
    const before = template(h.world);
    expect(before.state).toBe('stopped');
    const imagesBefore = h.world.images.size;
    // A highstate log an earlier ami-bot version left on the template, where the snapshot would copy it.
    before.fs.dirs.add('/var/log/ami-bot');
    before.fs.files.set('/var/log/ami-bot/highstate-bake-20240101-aaaa.log', '+ password: hunter2\n');

    const res = await h.slash('bake --note "quarterly refresh"', { responseId: 'bake1' });
    expect(res.status).toBe(200);
    expect(await h.answer('bake1')).toMatch(/Bake bake-\d{8}-[a-z0-9]{4} of acme started/);

    const bake = await waitForBake(h, isEnded);
    expect(bake.status).toBe('succeeded');
    expect(bake.facts.imageName).toMatch(/^domino-acme-executor-\d{8}-\d{4}$/);
    expect(h.world.images.size).toBe(imagesBefore + 1);
    // One CreateImage, naming every volume of the template (each gets DeleteOnTermination=true in the
    // EC2 adapter, see test/integration/ec2-adapter.test.ts), rebooting as the seed does.
    expect(createImageCalls).toHaveLength(1);
    expect(createImageCalls[0]).toMatchObject({ noReboot: false, deviceNames: before.blockDeviceNames });
    expect(before.blockDeviceNames.length).toBeGreaterThan(1);
    const image = h.world.images.get(bake.facts.imageId!)!;
    expect(image.state).toBe('available');
    expect(image.name).toBe(bake.facts.imageName);
    expect(image.description).toMatch(/^Domino executor AMI baked by ami-bot/);
    expect(image.tags[CREATED_BY_TAG]).toBe('ami-bot');
    // Salt's output (diffs of managed files) is not in the AMI: neither this bake's log nor an older one.
    expect([...image.fs.files.keys()].filter((path) => path.includes('highstate'))).toEqual([]);
    expect([...image.fs.files.values()].join('\n')).not.toContain('hunter2');
    expect(image.tags[BAKE_ID_TAG]).toBe(bake._id);
    expect(image.tags['ami-bot:requester']).toBe(DEMO_IDS.requester);
    // Every requested image is in the AMI's cache.
    for (const ref of [DEMO_IDS.images.base, DEMO_IDS.images.standard, DEMO_IDS.images.spark]) {
      expect([...image.dockerImages.keys()].some((key) => ref.endsWith(key) || key.endsWith(ref))).toBe(true);
    }
    for (const snapshotId of image.snapshotIds)
      expect(h.world.snapshots.get(snapshotId)?.tags[BAKE_ID_TAG]).toBe(bake._id);
    expect(template(h.world).state).toBe('stopped');
    expect(bake.facts.originalState).toBe('stopped');
    expect(Object.values(bake.steps).every((step) => step.state === 'done')).toBe(true);
    expect(bake.facts.pulls?.map((p) => p.status)).toEqual(['pulled', 'pulled', 'pulled']);
    expect(bake.facts.highstate?.failed).toBe(0);

    // Exactly one highstate and one pull per image were sent to SSM.
    const scripts = h.world.commands.map((c) => c.commands.join('\n'));
    expect(scripts.filter((s) => s.includes('state.highstate'))).toHaveLength(1);
    expect(scripts.filter((s) => s.includes('docker pull'))).toHaveLength(3);

    // The thread: one root message updated in place, replies per step, the AMI with next-step buttons.
    const root = h.fake.callsTo('chat.postMessage').find((c) => c.args.thread_ts === undefined);
    expect(root).toBeDefined();
    const replies = h.fake.callsTo('chat.postMessage').filter((c) => c.args.thread_ts !== undefined);
    const replyText = replies.map((c) => String(c.args.text)).join('\n');
    expect(replyText).toContain('Find the executor template');
    expect(replyText).toContain('salt-call state.highstate');
    expect(replyText).toContain(bake.facts.imageId);
    expect(JSON.stringify(replies.map((c) => c.args.blocks))).toContain('ami_plan');
    await h.bot.runner.idle();
    const updates = h.fake.callsTo('chat.update');
    expect(updates.length).toBeGreaterThan(0);
    expect(JSON.stringify(updates.at(-1)?.args.blocks)).toContain('succeeded');

    // Prometheus metrics on GET /metrics.
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toContain('amibot_bakes_total{deployment="acme",outcome="succeeded"} 1');
    expect(metrics).toMatch(/amibot_bake_step_duration_seconds_count\{step="highstate",outcome="done"\} 1/);
  });

  it('refuses a second bake of the same deployment while one runs, with the running id', async () => {
    h = await startHarness();
    await h.slash('bake', { responseId: 'first' });
    expect(await h.answer('first')).toContain('started');
    await h.slash('bake', { responseId: 'second' });
    const second = await h.answer('second');
    expect(second).toContain('already running');
    expect(await h.store.bakes.listRecent(5)).toHaveLength(1);
    expect(second).toContain((await h.store.bakes.listRecent(1))[0]!._id);
    // Cancel once the template has been started, so the cancel has something to undo.
    const bake = await waitForBake(h, (b) => b.facts.originalState !== undefined);
    await h.slash(`cancel ${bake._id}`, { responseId: 'cancel' });
    expect(await h.answer('cancel')).toContain('Cancelling');
    const ended = await waitForBake(h, isEnded);
    expect(ended.status).toBe('cancelled');
    expect(ended.facts.templateRestored).toBe(true);
    expect(template(h.world).state).toBe('stopped');
    expect([...h.world.images.values()].filter((image) => image.tags[BAKE_ID_TAG] === ended._id)).toHaveLength(0);
  });

  it('refuses a bake with one invalid image reference, naming it, and touches nothing', async () => {
    h = await startHarness();
    await h.slash('bake --images quay.io/domino/base:1,evil;rm-rf,quay.io/UPPER/case:1', { responseId: 'bad' });
    const text = await h.answer('bad');
    expect(text).toContain('Nothing was baked');
    expect(text).toContain('evil;rm-rf');
    expect(text).toContain('quay.io/UPPER/case:1');
    expect(await h.store.bakes.listRecent(5)).toHaveLength(0);
    expect(h.world.commands).toHaveLength(0);
    expect(template(h.world).state).toBe('stopped');
  });
});
