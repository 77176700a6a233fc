// Rollout safety end to end (signed Slack requests → real app → simulator → FerretDB → fake Slack): windows and
// approvals that end, target AMIs re-checked before any write, drains that touch only this deployment's
// executors and never one on a tier's current AMI, and two deployments that never touch each other's tiers.
// The AMIs planned pass the rollout gate (gateReadyAmi: baked, tested), so each test reaches what it is about.
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../../src/rollout/change-record.js';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { createSimWorld, type SimWorld, seedDemoWorld } from '../../src/sim/sim-world.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { type Harness, OPS } from '../support/bot-harness.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { uniqueDbName } from '../support/mongo.js';
import {
  APPROVERS,
  gateReadyAmi,
  latestChange,
  recordProvenTest,
  rolloutHarness,
  tierImages,
  until,
} from '../support/rollout-harness.js';
import { addBakedAmi, addStoppedInstance, recordTierWrites, wallClock } from '../support/sim-rollout-world.js';

const HOUR = 3_600_000;
const open: Harness[] = [];
const fakes: FakeSlack[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
  for (const f of fakes.splice(0)) await f.close();
});

async function harness(...args: Parameters<typeof rolloutHarness>): Promise<Harness> {
  const h = await rolloutHarness(...args);
  open.push(h);
  return h;
}

const acmeWorld = (): SimWorld => seedDemoWorld(createSimWorld({ deployment: 'acme' }));

const imageOf = (world: SimWorld, tierId: string) => world.tiers.find((t) => t.doc._id === tierId)!.doc.executorImage;

async function status(h: Harness, id: string, wanted: ChangeRecord['status']): Promise<ChangeRecord> {
  return until(`${id} ${wanted}`, async () => {
    const change = await h.store.changes.get(id);
    return change?.status === wanted ? change : undefined;
  });
}

const threadTexts = (fake: FakeSlack) =>
  fake
    .callsTo('chat.postMessage')
    .filter((c) => c.args.channel === OPS)
    .map((c) => String(c.args.text));

describe('windows and approvals that end', () => {
  it('plan --at a window, approve, bot down for nine days: the first scan expires it and writes nothing', async () => {
    const world = acmeWorld();
    const writes = recordTierWrites(world);
    const fake = await startFakeSlack();
    fakes.push(fake);
    const database = uniqueDbName('nine-days');
    const a = await rolloutHarness(undefined, { world, database, fake });
    const { amiId: newAmi } = await gateReadyAmi(a);
    // Three hours ahead: on the manual clock the window opens only once the test waits, long after the approval.
    const start = new Date(Math.ceil((a.clock.now().getTime() + 3 * HOUR) / 60_000) * 60_000);
    await a.slash(`plan ${newAmi} --at "${wallClock(start)}" --for 2h`, { responseId: 'plan' });
    expect(await a.answer('plan')).toContain('Planned');
    const change = await latestChange(a, 'rollout');
    expect(change.applyAt).toEqual(start);
    expect(change.applyUntil).toEqual(new Date(start.getTime() + 2 * HOUR));
    await a.click(ACTION_IDS.approve, change._id, { userId: APPROVERS[0], responseId: 'ok' });
    expect(await a.answer('ok')).toContain('applies in the maintenance window');
    await a.bot.rollout.idle();
    await a.close(); // the bot goes down before the window…

    // …and comes back nine days later.
    const clock = createManualClock(new Date(start.getTime() + 9 * 24 * HOUR));
    const b = await harness(undefined, { world, database, fake, clock });
    const expired = await status(b, change._id, 'expired');
    await b.bot.rollout.idle();
    expect(expired.decision?.outcome).toBe('approved');
    expect(expired.result?.status).toBe('expired');
    expect(expired.result?.reason).toContain('maintenance window ended');
    expect(expired.result?.applied).toEqual([]);
    expect(writes).toEqual([]);
    expect(threadTexts(fake).some((t) => t.includes(`${change._id} expired without being applied`))).toBe(true);
    expect((await b.store.audit.listRecent(20)).map((e) => e.action)).toContain('change.expired');
  }, 60_000);

  it('an approval without a window expires after rollout.maxApprovalAgeMinutes when nothing applied it', async () => {
    const world = acmeWorld();
    const writes = recordTierWrites(world);
    const fake = await startFakeSlack();
    fakes.push(fake);
    const database = uniqueDbName('max-age');
    const a = await rolloutHarness(undefined, { world, database, fake });
    const { amiId: newAmi } = await gateReadyAmi(a);
    await a.slash(`plan ${newAmi}`, { responseId: 'plan' });
    const change = await latestChange(a, 'rollout');
    // The approval is stored, then the process dies before its apply could claim the change (its scan is
    // stopped first: the next wait would otherwise let it apply the change at its next scan).
    await a.bot.rollout.scheduler.stop();
    expect(
      await a.store.changes.decide(change._id, { outcome: 'approved', by: APPROVERS[0]!, at: a.clock.now() }),
    ).toBe(true);
    await a.close();
    const clock = createManualClock(new Date(a.clock.now().getTime() + 2 * HOUR));
    const b = await harness(undefined, { world, database, fake, clock });
    const expired = await status(b, change._id, 'expired');
    expect(expired.result?.reason).toContain('rollout.maxApprovalAgeMinutes');
    expect(writes).toEqual([]);
  }, 60_000);

  it('refuses a window end without a start, or before the start, and plans nothing', async () => {
    const h = await harness(undefined, { world: acmeWorld() });
    const { amiId: newAmi } = await gateReadyAmi(h);
    await h.slash(`plan ${newAmi} --for 2h`, { responseId: 'nostart' });
    expect(await h.answer('nostart')).toContain('--at');
    const start = new Date(h.clock.now().getTime() + 5 * HOUR);
    await h.slash(
      `plan ${newAmi} --at "${wallClock(start)}" --until "${wallClock(new Date(start.getTime() - HOUR))}"`,
      {
        responseId: 'backwards',
      },
    );
    expect(await h.answer('backwards')).toContain('must end after it starts');
    await h.slash(`plan ${newAmi} --at "${wallClock(start)}" --for soon`, { responseId: 'bad' });
    expect(await h.answer('bad')).toContain('`2h`');
    expect(await h.store.changes.listRecent(5)).toEqual([]);
  });
});

describe('target AMIs re-checked before any write', () => {
  it('an AMI deregistered between approval and apply: nothing is written, the result names it', async () => {
    const world = acmeWorld();
    const writes = recordTierWrites(world);
    const h = await harness(undefined, { world });
    const { amiId: newAmi } = await gateReadyAmi(h);
    const start = new Date(Math.ceil((h.clock.now().getTime() + 2 * HOUR) / 60_000) * 60_000);
    await h.slash(`plan ${newAmi} --at "${wallClock(start)}"`, { responseId: 'plan' });
    const change = await latestChange(h, 'rollout');
    // No --for: the window lasts rollout.windowMinutes.
    expect(change.applyUntil).toEqual(new Date(start.getTime() + h.config.rollout.windowMinutes * 60_000));
    await h.click(ACTION_IDS.approve, change._id, { userId: APPROVERS[1], responseId: 'ok' });
    expect(await h.answer('ok')).toContain('maintenance window');
    world.images.delete(newAmi); // someone deregisters it before the window
    const failed = await status(h, change._id, 'failed');
    await h.bot.rollout.idle();
    expect(failed.result?.error).toContain(`${newAmi} no longer exists`);
    expect(failed.result?.applied).toEqual([]);
    expect(writes).toEqual([]);
    expect(threadTexts(h.fake).some((t) => t.includes('failed') && t.includes(newAmi))).toBe(true);
    // Users were told it would happen in the window: the announcement hears it is off, as for an expiry.
    const announcement = h.fake
      .callsTo('chat.postMessage')
      .find((c) => c.args.channel === h.config.announceChannel && !c.args.thread_ts);
    expect(announcement).toBeDefined();
    const replies = await until('the announcement hears it is off', async () => {
      const found = h.fake
        .callsTo('chat.postMessage')
        .filter((c) => c.args.thread_ts === (announcement?.response as { ts?: string } | undefined)?.ts)
        .map((c) => String(c.args.text));
      return found.some((t) => t.includes('will not happen')) ? found : undefined;
    });
    expect(replies).toContainEqual(expect.stringContaining(`${change._id} on acme will not happen (failed)`));
  }, 60_000);

  it("a revert's recorded AMIs are checked when it is planned and again when it applies", async () => {
    const world = acmeWorld();
    const h = await harness(undefined, { world });
    const { amiId: newAmi } = await gateReadyAmi(h);
    const older = imageOf(world, 'large');
    const current = imageOf(world, 'small-k8s');
    await h.slash(`plan ${newAmi}`, { responseId: 'plan' });
    const change = await latestChange(h, 'rollout');
    await h.click(ACTION_IDS.approve, change._id, { userId: APPROVERS[0], responseId: 'ok' });
    await status(h, change._id, 'applied');
    await h.bot.rollout.idle();

    // `large`'s recorded AMI is gone: the revert leaves it alone and says why.
    world.images.delete(older);
    await h.slash(`revert ${change._id}`, { responseId: 'revert' });
    expect(await h.answer('revert')).toContain('the revert of');
    const revert = await latestChange(h, 'revert');
    expect(revert.updates.map((t) => t.id).sort()).toEqual(['medium', 'small-k8s', 'test-tier']);
    expect(revert.skipped).toEqual([
      expect.objectContaining({ id: 'large', reason: 'missing-image', detail: expect.stringContaining(older) }),
    ]);
    // The other recorded AMI goes too before the approval: the apply writes nothing.
    const before = tierImages(h);
    const writes = recordTierWrites(world);
    world.images.delete(current);
    await h.click(ACTION_IDS.approve, revert._id, { userId: APPROVERS[2], responseId: 'revert-ok' });
    const failed = await status(h, revert._id, 'failed');
    expect(failed.result?.error).toContain(`${current} no longer exists`);
    expect(writes).toEqual([]);
    expect(tierImages(h)).toEqual(before);
  }, 60_000);
});

describe('drains scoped to the deployment and to what tiers use now', () => {
  it('plan → drain listed → revert applied → drain approved: nothing terminated; template and beta executor never listed', async () => {
    const world = acmeWorld();
    const older = imageOf(world, 'large');
    // A spare template carrying the tier tag, and another deployment's executor with the same tier id.
    const spareTemplate = addStoppedInstance(
      world,
      { Name: 'acme-executor-template-spare', 'domino-deployment': 'acme', 'domino-executor-group': 'large' },
      older,
    );
    const betaExecutor = addStoppedInstance(
      world,
      { Name: 'beta-executor-large', 'domino-deployment': 'beta', 'domino-executor-group': 'large' },
      older,
    );
    const h = await harness(undefined, { world });
    const { amiId: newAmi } = await gateReadyAmi(h);
    await h.slash(`plan ${newAmi}`, { responseId: 'plan' });
    const change = await latestChange(h, 'rollout');
    await h.click(ACTION_IDS.approve, change._id, { userId: APPROVERS[0], responseId: 'ok' });
    await status(h, change._id, 'applied');
    const drain = await latestChange(h, 'drain');
    const listed = [...(drain.drain?.stopped ?? []), ...(drain.drain?.running ?? [])].map((i) => i.id);
    expect(drain.drain?.stopped.map((i) => i.tierId).sort()).toEqual(['large', 'small-k8s']);
    expect(listed).not.toContain(spareTemplate);
    expect(listed).not.toContain(betaExecutor);

    // The change is reverted before anyone approves the drain: `large` is back on the AMI its executors run.
    await h.slash(`revert ${change._id}`, { responseId: 'revert' });
    const revert = await latestChange(h, 'revert');
    await h.click(ACTION_IDS.approve, revert._id, { userId: APPROVERS[1], responseId: 'revert-ok' });
    await status(h, revert._id, 'applied');
    expect(imageOf(world, 'large')).toBe(older);

    await h.click(ACTION_IDS.drainTerminate, drain._id, { userId: APPROVERS[2], responseId: 'drain' });
    expect(await h.answer('drain')).toContain('You approved');
    const refused = await status(h, drain._id, 'failed');
    await h.bot.rollout.idle();
    expect(refused.result?.error).toContain(`${revert._id} (revert) was applied after this drain was listed`);
    expect(refused.result?.applied).toEqual([]);
    for (const instance of world.instances.values()) {
      expect(['terminated', 'shutting-down'], `${instance.id} ${instance.tags.Name}`).not.toContain(instance.state);
    }
  }, 60_000);
});

describe('two deployments in one account', () => {
  it('a plan for beta never moves a tier of acme, even one on an AMI ami-bot baked (for acme)', async () => {
    const world = acmeWorld();
    const acmeBaked = addBakedAmi(world, 'acme', 'renamed-acme-ami', 'bake-20260820-acme');
    const betaOld = addBakedAmi(world, 'beta', 'domino-beta-executor-20260801-0900', 'bake-20260801-beta');
    const betaNew = addBakedAmi(world, 'beta', 'domino-beta-executor-20260901-0900', 'bake-20260901-beta');
    const tier = (id: string, executorImage: string) =>
      world.tiers.push({ idType: 'string', doc: { _id: id, name: id, executorImage } });
    tier('acme-bot-baked', acmeBaked);
    tier('beta-small', betaOld);
    const writes = recordTierWrites(world);
    const h = await harness(
      (config) => {
        config.deployments.push({ ...structuredClone(config.deployments[0]!), name: 'beta' });
      },
      { world },
    );
    const now = h.clock.now();
    await h.store.bakes.insert({
      _id: 'bake-20260901-beta',
      deployment: 'beta',
      requester: 'U0ADMIN01',
      channel: OPS,
      images: ['quay.io/domino/base:1'],
      noReboot: false,
      status: 'succeeded',
      steps: {} as never,
      facts: { imageId: betaNew, imageName: 'domino-beta-executor-20260901-0900' },
      createdAt: now,
      updatedAt: now,
    });
    // beta's new AMI passed its test in beta, as the gate requires of any plan.
    await recordProvenTest(h, betaNew, { deployment: 'beta', bakeId: 'bake-20260901-beta' });
    await h.slash('plan bake-20260901-beta', { responseId: 'plan' });
    expect(await h.answer('plan')).toMatch(/Planned chg-\d{8}-[a-z0-9]{4}: 1 tier to change/);
    const change = await latestChange(h, 'rollout');
    expect(change.deployment).toBe('beta');
    expect(change.updates.map((t) => t.id)).toEqual(['beta-small']);
    expect(change.skipped.find((t) => t.id === 'acme-bot-baked')?.reason).toBe('special');
    await h.click(ACTION_IDS.approve, change._id, { userId: APPROVERS[0], responseId: 'ok' });
    await status(h, change._id, 'applied');
    expect(writes).toEqual([{ tierId: 'beta-small', to: betaNew }]);
  }, 60_000);
});

describe('tiers keyed by _id type and id', () => {
  it('an ObjectId and a string _id with the same hex stay apart in apply, verify and revert', async () => {
    const world = acmeWorld();
    const hex = '64f1c0de5a1b2c3d4e5f6abc';
    const current = imageOf(world, 'small-k8s');
    const gpu = imageOf(world, 'gpu');
    world.tiers.push(
      { idType: 'objectId', doc: { _id: hex, name: 'Twin (ObjectId)', executorImage: current } },
      { idType: 'string', doc: { _id: hex, name: 'Twin (string)', executorImage: current } },
    );
    const twin = (idType: 'objectId' | 'string') => world.tiers.find((t) => t.doc._id === hex && t.idType === idType)!;
    const h = await harness(undefined, { world });
    const { amiId: newAmi } = await gateReadyAmi(h);
    await h.slash(`plan ${newAmi}`, { responseId: 'plan' });
    const change = await latestChange(h, 'rollout');
    expect(
      change.updates
        .filter((t) => t.id === hex)
        .map((t) => t.idType)
        .sort(),
    ).toEqual(['objectId', 'string']);
    // Someone points the string twin at the GPU AMI by hand before the approval.
    twin('string').doc.executorImage = gpu;
    await h.click(ACTION_IDS.approve, change._id, { userId: APPROVERS[0], responseId: 'ok' });
    const applied = await status(h, change._id, 'applied');
    expect(twin('objectId').doc.executorImage).toBe(newAmi);
    expect(twin('string').doc.executorImage).toBe(gpu);
    expect(applied.result?.verified).toContain(`objectId:${hex}`);
    expect(applied.result?.verified).not.toContain(`string:${hex}`);
    expect(applied.result?.applied).not.toContain(`string:${hex}`);
    expect(applied.result?.conflicts).toEqual([{ id: hex, label: 'Twin (string)', expected: current, found: gpu }]);

    await h.slash(`revert ${change._id}`, { responseId: 'revert' });
    const revert = await latestChange(h, 'revert');
    expect(revert.updates.filter((t) => t.id === hex).map((t) => t.idType)).toEqual(['objectId']);
    await h.click(ACTION_IDS.approve, revert._id, { userId: APPROVERS[1], responseId: 'revert-ok' });
    const reverted = await status(h, revert._id, 'applied');
    expect(reverted.result?.verified).toContain(`objectId:${hex}`);
    expect(twin('objectId').doc.executorImage).toBe(current);
    expect(twin('string').doc.executorImage).toBe(gpu);
  }, 60_000);
});
