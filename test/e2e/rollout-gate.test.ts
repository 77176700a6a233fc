// The rollout gate and the AMI test that proves what it claims (issue 13, items 1 and 2), end to end: signed Slack
// requests into the real app, the simulator's AWS and Domino, state on FerretDB, the fake Slack recording calls.
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../src/sim/seed-demo-world.js';
import { terminateInstanceNow } from '../../src/sim/sim-instances.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import type { Harness } from '../support/bot-harness.js';
import { dmUser } from '../support/fake-slack.js';
import { allText } from '../support/rollout-fixtures.js';
import {
  APPROVERS,
  gateReadyAmi,
  latestChange,
  recordProvenTest,
  rolloutHarness,
  tierImages,
  until,
} from '../support/rollout-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const tierAmi = (harness: Harness, id: string) => harness.world.tiers.find((t) => t.doc._id === id)!.doc.executorImage;

/** Runs `/ami plan …` and checks that the refusal left no trace: no change, no post, no DM, no tier write. */
async function expectRefusedPlan(harness: Harness, args: string, id: string): Promise<string> {
  const before = tierImages(harness);
  const posts = harness.fake.callsTo('chat.postMessage').length;
  await harness.slash(`plan ${args}`, { responseId: id });
  const answer = await harness.answer(id);
  await harness.bot.rollout.idle();
  expect(answer).not.toMatch(/^Planned/);
  expect(await harness.store.changes.listRecent(10)).toEqual([]);
  const after = harness.fake.callsTo('chat.postMessage').slice(posts);
  expect(after.filter((c) => c.args.channel === DEMO_IDS.announceChannel)).toEqual([]);
  expect(after.filter((c) => dmUser(c) !== undefined)).toEqual([]);
  expect(after).toEqual([]);
  expect(tierImages(harness)).toEqual(before);
  expect((await harness.store.audit.listRecent(10)).filter((e) => e.action === 'change.planned')).toEqual([]);
  return answer;
}

/** Domino (or an approved drain) terminated the test tier's executors: the next test may start. */
function clearTestTier(harness: Harness): void {
  const nowMs = harness.clock.now().getTime();
  for (const instance of harness.world.instances.values()) {
    if (instance.tags['domino-executor-group'] === DEMO_IDS.testTierId)
      terminateInstanceNow(harness.world, instance, nowMs);
  }
}

async function endedTest(harness: Harness, testId: string) {
  await harness.bot.rollout.idle();
  return until('the test to end', async () => {
    const test = await harness.store.amiTests.get(testId);
    return test && test.status !== 'running' ? test : undefined;
  });
}

const testIdIn = (text: string) => /test-\d{8}-[a-z0-9]{4}/.exec(text)?.[0] ?? '';

describe('the rollout gate (signed Slack requests → real app → simulator → FerretDB)', () => {
  it('refuses, without a trace, AMIs that are not this deployment’s tested bakes', async () => {
    h = await rolloutHarness();
    // The GPU tier's custom Ubuntu AMI: in this account, not made by ami-bot.
    expect(await expectRefusedPlan(h, tierAmi(h, 'gpu'), 'gpu')).toContain('was not made by ami-bot');
    // A public AMI of another account.
    expect(await expectRefusedPlan(h, DEMO_IDS.publicAmiId, 'public')).toContain(
      'belongs to another AWS account (099720109477)',
    );
    // A seeded pipeline AMI with tags but no bake record behind it (and the old `bake-id` tag only).
    expect(await expectRefusedPlan(h, tierAmi(h, 'large'), 'seeded')).toContain('was not made by ami-bot');
    // Another deployment's bake.
    const beta = await gateReadyAmi(h, { deployment: 'beta' });
    expect(await expectRefusedPlan(h, beta.amiId, 'beta')).toContain('was baked for deployment `beta`');
    // A bake that did not succeed (its AMI exists: the cleanup had not run yet).
    const failedBake = await gateReadyAmi(h, { bakeStatus: 'failed' });
    expect(await expectRefusedPlan(h, failedBake.amiId, 'failedbake')).toContain('is failed, not succeeded');
    expect(await expectRefusedPlan(h, failedBake.bake._id, 'failedbake-id')).toContain('has no finished AMI');
    // A bake id whose record names an AMI the tags do not point back to.
    const other = await gateReadyAmi(h);
    const mismatch = await gateReadyAmi(h, { tested: false });
    h.world.images.get(mismatch.amiId)!.tags['ami-bot:bake-id'] = other.bake._id;
    expect(await expectRefusedPlan(h, mismatch.amiId, 'mismatch')).toContain(
      `recorded AMI ${other.amiId}, not ${mismatch.amiId}`,
    );
    // The same refusals for a test: the test tier is never pointed at such an AMI.
    const testsBefore = (await h.store.amiTests.listRecent(50)).length;
    await h.slash(`test ${DEMO_IDS.publicAmiId}`, { responseId: 'test-public' });
    expect(await h.answer('test-public')).toContain('belongs to another AWS account');
    await h.slash(`test ${tierAmi(h, 'gpu')}`, { responseId: 'test-gpu' });
    expect(await h.answer('test-gpu')).toContain('was not made by ami-bot');
    expect(await h.store.amiTests.listRecent(50)).toHaveLength(testsBefore);
    expect(h.world.jobs.size).toBe(0);
    expect(tierAmi(h, DEMO_IDS.testTierId)).toBe(tierAmi(h, 'small-k8s'));
  });

  it('refuses an untested AMI and one whose test failed; --override-test plans it with the reason everywhere', async () => {
    h = await rolloutHarness();
    const untested = await gateReadyAmi(h, { tested: false });
    const refusal = await expectRefusedPlan(h, untested.bake._id, 'untested');
    expect(refusal).toContain(
      `AMI ${untested.amiId} has not been tested: run \`/ami test ${untested.bake._id}\` first`,
    );
    expect(refusal).toContain('--override-test');

    const failed = await gateReadyAmi(h, { test: { status: 'failed', reason: 'Pulling took 302 s (> 5 s)' } });
    const failedRefusal = await expectRefusedPlan(h, failed.amiId, 'failed');
    expect(failedRefusal).toContain(`The latest test of AMI ${failed.amiId} (${failed.test?._id}) failed`);
    expect(failedRefusal).toContain('Pulling took 302 s');
    // A pass that named no executor (recorded before the proof existed, or unproven) does not count either.
    const unproven = await gateReadyAmi(h, { test: { status: 'unproven', executor: undefined } });
    expect(await expectRefusedPlan(h, unproven.amiId, 'unproven')).toContain('could not prove which executor');

    // A reason is required, and short.
    expect(await expectRefusedPlan(h, `${untested.bake._id} --override-test ""`, 'noreason')).toContain(
      '`--override-test` needs a reason',
    );
    expect(await expectRefusedPlan(h, `${untested.bake._id} --override-test "${'x'.repeat(301)}"`, 'long')).toContain(
      'keep it to 300',
    );

    const reason = 'CVE-2026-4242 hotfix <urgent> & checked by hand';
    const escaped = 'CVE-2026-4242 hotfix &lt;urgent&gt; &amp; checked by hand';
    await h.slash(`plan ${untested.bake._id} --override-test "${reason}"`, { responseId: 'override' });
    const planned = await h.answer('override');
    expect(planned).toMatch(/^Planned chg-/);
    expect(planned).toContain(`Not tested: test requirement overridden (“${escaped}”)`);
    const change = await latestChange(h, 'rollout');
    expect(change.gate).toEqual({ override: { by: 'U0ADMIN01', reason } });
    await h.bot.rollout.idle();
    const card = h.fake
      .callsTo('chat.postMessage')
      .find((c) => (c.response as { ts?: string }).ts === change.message?.ts);
    const cardText = allText({ text: String(card?.args.text), blocks: card?.args.blocks as never });
    expect(cardText).toContain(`*Not tested*: the test requirement was overridden by <@U0ADMIN01>: “${escaped}”`);
    const approve = ((card?.args.blocks ?? []) as Array<{ elements?: Array<Record<string, unknown>> }>)
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === ACTION_IDS.approve) as { confirm: { text: { text: string } } };
    expect(approve.confirm.text.text).toContain(`NOT TESTED (override by <@U0ADMIN01>): “${escaped}”`);
    expect(approve.confirm.text.text.length).toBeLessThanOrEqual(300);
    const announcement = h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === DEMO_IDS.announceChannel);
    const announced = allText({ text: String(announcement?.args.text), blocks: announcement?.args.blocks as never });
    expect(announced).toContain(`an admin overrode the test with this reason: “${escaped}”`);
    expect(announced).not.toContain('already cached');
    const planAudit = (await h.store.audit.listRecent(20)).find((e) => e.action === 'change.planned');
    expect(planAudit?.summary).toContain(`test requirement overridden: ${reason}`);
  });

  it('a deployment without a test tier: the refusal says so instead of sending the admin to a /ami test that cannot run', async () => {
    h = await rolloutHarness((config) => {
      delete config.deployments[0]!.testTier;
    });
    const untested = await gateReadyAmi(h, { tested: false });
    const refusal = await expectRefusedPlan(h, untested.bake._id, 'no-test-tier');
    expect(refusal).toContain('no test tier is configured for acme (deployments[].testTier)');
    expect(refusal).not.toContain(`run \`/ami test ${untested.bake._id}\` first`);
    expect(refusal).toContain(`\`/ami plan ${untested.bake._id} --override-test "why"\``);
  });

  it('a tested AMI is planned with its test in the plan and the Approve confirm; an older one is refused', async () => {
    h = await rolloutHarness();
    const tested = await gateReadyAmi(h);
    await h.slash(`plan ${tested.amiId}`, { responseId: 'plan' });
    expect(await h.answer('plan')).toContain(`Tested by ${tested.test?._id} (Pulling 1.5 s)`);
    const change = await latestChange(h, 'rollout');
    expect(change.gate?.test).toEqual({
      id: tested.test?._id,
      pullingSeconds: 1.5,
      toRunningSeconds: 166,
      executorId: 'i-0fe5h0e5ec0t0r001',
    });
    const card = h.fake
      .callsTo('chat.postMessage')
      .find((c) => (c.response as { ts?: string }).ts === change.message?.ts);
    expect(JSON.stringify(card?.args.blocks)).toContain(`Tested: ${tested.test?._id} passed, Pulling 1.5 s.`);
    expect(allText({ text: '', blocks: card?.args.blocks as never })).toContain(`*Tested*: ${tested.test?._id} passed`);
    await h.click(ACTION_IDS.reject, change._id, { userId: APPROVERS[0], responseId: 'reject' });
    expect(await h.answer('reject')).toContain('rejected');
    await h.bot.rollout.idle();

    // Older (CreationDate) than the AMI small-k8s and medium run now: a rollout never moves tiers back.
    const fresh = await gateReadyAmi(h, { createdAt: new Date('2026-06-01T00:00:00Z') });
    const before = tierImages(h);
    const posts = h.fake.callsTo('chat.postMessage').length;
    await h.slash(`plan ${fresh.amiId}`, { responseId: 'older' });
    const older = await h.answer('older');
    expect(older).toContain(`AMI ${fresh.amiId} (created 2026-06-01) is older than ${tierAmi(h, 'small-k8s')}`);
    // The placeholder's brackets are escaped: raw, Slack would read `<change-id>` as a link.
    expect(older).toContain('/ami revert &lt;change-id&gt;');
    await h.bot.rollout.idle();
    expect((await h.store.changes.listRecent(10)).map((c) => c._id)).toEqual([change._id]);
    expect(h.fake.callsTo('chat.postMessage').slice(posts)).toEqual([]);
    expect(tierImages(h)).toEqual(before);
  });
});

describe('an AMI test that proves what it claims (signed Slack requests → real app → simulator)', () => {
  it('the false pass of issue 13: a test fails on slow Pulling; testing again beside the warm executor is refused', async () => {
    // The test environment's image (NLP, 6.1 GB) is not on the AMI: Pulling takes minutes.
    h = await rolloutHarness((config) => {
      config.domino.testEnvironmentId = DEMO_IDS.environments.nlp;
    });
    const original = tierImages(h);
    const candidate = await gateReadyAmi(h, { tested: false });
    await h.slash(`test ${candidate.bake._id}`, { responseId: 'first' });
    const first = await endedTest(h, testIdIn(await h.answer('first')));
    expect(first.status).toBe('failed');
    expect(first.seconds.Pulling).toBeGreaterThan(250);
    expect(first.executor?.imageId).toBe(candidate.amiId);
    // The test tier is back on its AMI.
    expect(tierImages(h)).toEqual(original);
    expect(first.restore?.outcome).toBe('restored');

    // Its executor (now holding the pulled image) is still up: a second test could land there and pass falsely.
    const warm = [...h.world.instances.values()].find(
      (i) => i.tags['domino-executor-group'] === DEMO_IDS.testTierId && i.state !== 'terminated',
    )!;
    expect(warm.dockerImages.has(DEMO_IDS.images.nlp)).toBe(true);
    const jobs = h.world.jobs.size;
    await h.slash(`test ${candidate.bake._id}`, { responseId: 'second' });
    const second = await h.answer('second');
    expect(second).toContain(
      `executor(s) of the test tier AMI test tier exist (running or stopped): ${warm.id} (${warm.state}, ${candidate.amiId}`,
    );
    expect(second).toContain('prove nothing');
    expect(h.world.jobs.size).toBe(jobs);
    expect(tierImages(h)).toEqual(original);
    expect((await h.store.amiTests.listRecent(10)).map((t) => t.status)).toEqual(['failed']);
    // And the plan stays refused: the newest test failed.
    expect(await expectRefusedPlan(h, candidate.bake._id, 'plan')).toContain('failed');
  });

  it('puts the test tier back after a pass and a cancel, keeps it with --keep', async () => {
    h = await rolloutHarness((config) => {
      config.domino.pullPassSeconds = 120; // a stall of this busy machine must not turn the pass into a fail
    });
    const original = tierImages(h);
    const candidate = await gateReadyAmi(h, { tested: false });

    await h.slash(`test ${candidate.amiId}`, { responseId: 'pass' });
    const passReply = await h.answer('pass');
    expect(passReply).toContain(`it goes back to ${original[DEMO_IDS.testTierId]} afterwards`);
    const passed = await endedTest(h, testIdIn(passReply));
    expect(passed.status).toBe('passed');
    const job = h.world.jobs.get(passed.jobId!)!;
    expect(job.launchedExecutor).toBe(true);
    expect(passed.executor).toMatchObject({ instanceId: job.executorId, imageId: candidate.amiId });
    expect(tierImages(h)).toEqual(original);
    const card = h.fake.callsTo('chat.update').filter((c) => String(c.args.text).startsWith(`AMI test ${passed._id}`));
    expect(allText({ text: '', blocks: card.at(-1)?.args.blocks as never })).toContain(
      `Ran on ${job.executorId}, booted from ${candidate.amiId}`,
    );
    // Now the plan goes through the gate.
    await h.slash(`plan ${candidate.amiId}`, { responseId: 'plan' });
    expect(await h.answer('plan')).toContain(`Tested by ${passed._id}`);
    await h.click(ACTION_IDS.reject, (await latestChange(h, 'rollout'))._id, {
      userId: APPROVERS[0],
      responseId: 'reject',
    });
    await h.answer('reject');

    clearTestTier(h);
    h.world.timings.executorLaunch = { min: 30 * 60_000, max: 30 * 60_000 }; // time to cancel while it waits
    await h.slash(`test ${candidate.amiId}`, { responseId: 'cancel-me' });
    const cancelId = testIdIn(await h.answer('cancel-me'));
    expect(tierAmi(h, DEMO_IDS.testTierId)).toBe(candidate.amiId);
    // Cancel once the runner has saved its first status (it then writes nothing while the job waits): FerretDB
    // does not serialise two concurrent updates of one document, so a save racing the cancel could drop it.
    await until('the job to be queued', async () =>
      (await h!.store.amiTests.get(cancelId))?.lastStatus === 'Queued' ? true : undefined,
    );
    await h.slash(`cancel ${cancelId}`, { responseId: 'cancel' });
    expect(await h.answer('cancel')).toContain('Cancelling test');
    const cancelled = await endedTest(h, cancelId);
    expect(cancelled.status, cancelled.reason).toBe('cancelled');
    expect(cancelled.restore?.outcome).toBe('restored');
    expect(tierImages(h)).toEqual(original);

    clearTestTier(h);
    h.world.timings.executorLaunch = { min: 2 * 60_000, max: 2 * 60_000 };
    await h.slash(`test ${candidate.amiId} --keep`, { responseId: 'keep' });
    const keepReply = await h.answer('keep');
    expect(keepReply).toContain('it stays there afterwards (--keep)');
    const kept = await endedTest(h, testIdIn(keepReply));
    expect(kept.status).toBe('passed');
    expect(kept.restore?.outcome).toBe('kept');
    expect(tierImages(h)).toEqual({ ...original, [DEMO_IDS.testTierId]: candidate.amiId });
    const history = (await h.store.audit.listRecent(50)).filter((e) => e.action === 'test.tier-restored');
    expect(history).toHaveLength(2);
  });
});

// A recorded test counts only for its own AMI: a proven pass of another AMI does not open the gate.
describe('the gate reads the test of the AMI planned', () => {
  it('a passed test of another AMI does not count', async () => {
    h = await rolloutHarness();
    const untested = await gateReadyAmi(h, { tested: false });
    const other = await gateReadyAmi(h, { tested: false });
    await recordProvenTest(h, other.amiId, { bakeId: other.bake._id });
    expect(await expectRefusedPlan(h, untested.amiId, 'other')).toContain('has not been tested');
  });
});
