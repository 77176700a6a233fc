import type { BakeRecord } from '../bake/bake-record.js';
import { newStepTable } from '../bake/bake-steps.js';
import { bakeImageTags } from '../bake/image-tags.js';
import type { AmiTestRecord } from '../rollout/ami-test-record.js';
import type { ChangeRecord } from '../rollout/change-record.js';
import { DEMO_IDS, EXECUTOR_GROUP_TAG } from '../sim/index.js';
import { addImage } from '../sim/seed-demo-world.js';
import type { SimImage } from '../sim/sim-world.js';
import { ACTION_IDS } from '../slack/action-ids.js';
import type { Actor } from './demo-actors.js';
import type { DemoStage } from './demo-stage.js';
import { tierTable } from './tier-table.js';

export interface LifecycleContext {
  stage: DemoStage;
  /** Pat: the admin who bakes and asks for the change. */
  requester: Actor;
  /** Sam: the second admin, an approver. */
  approver: Actor;
  banner(text: string): void;
  write(line: string): void;
  summary: string[];
}

const isTestDone = (test: AmiTestRecord | undefined) => test !== undefined && test.status !== 'running';
const CHANGE_ENDED = ['applied', 'rejected', 'expired', 'failed'];

export async function newestTest(stage: DemoStage, after: number): Promise<AmiTestRecord> {
  return stage.waitUntil(async () => {
    const tests = await stage.store.amiTests.listRecent(10);
    const test = tests.find((t) => t.createdAt.getTime() >= after);
    return test && isTestDone(await stage.store.amiTests.get(test._id))
      ? stage.store.amiTests.get(test._id)
      : undefined;
  }, 60_000);
}

export async function newestChange(
  stage: DemoStage,
  kind: ChangeRecord['kind'],
  known: Set<string>,
): Promise<ChangeRecord> {
  return stage.waitUntil(async () => {
    const changes = await stage.store.changes.listRecent(20);
    return changes.find((change) => change.kind === kind && !known.has(change._id));
  }, 60_000);
}

export async function changeEnded(stage: DemoStage, id: string): Promise<ChangeRecord> {
  return stage.waitUntil(async () => {
    const change = await stage.store.changes.get(id);
    return change && CHANGE_ENDED.includes(change.status) ? change : undefined;
  }, 60_000);
}

/** The requester presses Approve on their own change: the two-person rule refuses it; the refusal is returned. */
export async function ownApprovalRefused(ctx: LifecycleContext, changeId: string): Promise<string> {
  const { stage, requester } = ctx;
  ctx.banner(`${requester.name} tries to approve their own change`);
  const before = stage.sink.answers.length;
  await requester.press(ACTION_IDS.approve, changeId);
  return requester.answer(before, /:no_entry:/);
}

/** The approver presses Approve; the change as it ended (applied, or why not). */
export async function approveAndWait(ctx: LifecycleContext, changeId: string): Promise<ChangeRecord> {
  const { stage, approver } = ctx;
  const beforeApproval = stage.sink.answers.length;
  await approver.press(ACTION_IDS.approve, changeId);
  // Wait for the approver's own answer too, so it is printed under this banner and not the next one.
  await approver.answer(beforeApproval, /approved/i);
  return changeEnded(stage, changeId);
}

/** `/ami revert <change>` by the requester; the revert change it planned. */
export async function requestRevert(ctx: LifecycleContext, change: ChangeRecord): Promise<ChangeRecord> {
  const { stage, requester } = ctx;
  ctx.banner(`${requester.name} reverts ${change._id}`);
  const known = new Set((await stage.store.changes.listRecent(50)).map((c) => c._id));
  await requester.command(`revert ${change._id}`);
  return newestChange(stage, 'revert', known);
}

/** As the test card shows it: a Pulling state never seen between two polls is "under <poll> s", not 0 s. */
const pulling = (test: AmiTestRecord, pollSeconds: number) =>
  test.seconds.Pulling === undefined
    ? `under ${pollSeconds} s (too short to be seen between two polls)`
    : `${test.seconds.Pulling.toFixed(0)} s`;

/** The record of an ami-bot bake from before the demo that made `image`; the image gets that bake's tags. */
function earlierBake(ctx: LifecycleContext, id: string, image: SimImage): BakeRecord {
  const { stage } = ctx;
  const at = new Date(image.creationMs);
  const bake: BakeRecord = {
    _id: id,
    deployment: stage.config.deployments[0]!.name,
    requester: ctx.requester.id,
    channel: stage.config.opsChannels[0]!,
    images: [DEMO_IDS.images.base],
    noReboot: false,
    status: 'succeeded',
    steps: newStepTable(),
    facts: { imageId: image.id, imageName: image.name },
    createdAt: at,
    updatedAt: at,
  };
  image.tags = { ...image.tags, ...bakeImageTags(bake) };
  return bake;
}

/**
 * The seed's current AMI stands for an earlier ami-bot bake (August's): the demo's fresh store gets that bake's
 * record, and the image its tags, so that the gate lets it be tested like any bake of this deployment.
 */
export async function recordEarlierBake(
  ctx: LifecycleContext,
  amiId: string,
  bakeId = 'bake-20260815-aug1',
): Promise<void> {
  const { stage } = ctx;
  const image = stage.sim.world.images.get(amiId);
  if (!image) return;
  const bake = earlierBake(ctx, bakeId, image);
  await stage.store.bakes.insert(bake);
  ctx.write(`  (the current AMI ${amiId} came from August's bake ${bake._id}: its record is in the store)`);
}

/** Before the bake: how long does a test job spend Pulling on the current AMI? */
export async function measureBaseline(ctx: LifecycleContext): Promise<AmiTestRecord> {
  const { stage, requester } = ctx;
  ctx.banner(`${requester.name} measures the current AMI on the test tier`);
  const [tier] = (await stage.sim.dominoTiers.listTiers()).filter((t) => t.id === DEMO_IDS.testTierId);
  await recordEarlierBake(ctx, tier!.executorImage);
  await recordBakesBefore(ctx);
  const since = stage.sim.clock.now().getTime();
  await requester.command(`test ${tier!.executorImage}`);
  const test = await newestTest(stage, since);
  ctx.write(
    `  (a "${test.status}" verdict is what this bake is for: the current AMI does not hold the environments' images, so the job spent ${pulling(test, stage.config.domino.testPollSeconds)} in Pulling)`,
  );
  // Domino stops an idle executor after executorStopTimeout; the demo does it at once so that the next
  // test boots a fresh machine from the new AMI, as the seed's "Test the new AMI" section expects.
  const executors = await stage.sim.ec2.findInstancesByTags({ [EXECUTOR_GROUP_TAG]: DEMO_IDS.testTierId });
  await stage.sim.ec2.terminateInstances(executors.map((instance) => instance.id));
  ctx.write(
    `  (the idle test-tier executor${executors.length === 1 ? '' : 's'} ${executors.map((i) => i.id).join(', ')} is terminated)`,
  );
  return test;
}

/** The gate: a plan of the new AMI before it was tested is refused, with what to do next; nothing is posted. */
export async function planBeforeTest(ctx: LifecycleContext, bake: BakeRecord): Promise<void> {
  const { stage, requester } = ctx;
  ctx.banner(`${requester.name} presses "Plan rollout" before testing`);
  const before = stage.sink.answers.length;
  const changes = (await stage.store.changes.listRecent(50)).length;
  const posts = stage.sim.chat.messages.length;
  await requester.press(ACTION_IDS.planRollout, bake._id);
  const refusal = await requester.answer(before, /has not been tested/);
  const stored = (await stage.store.changes.listRecent(50)).length - changes;
  const posted = stage.sim.chat.messages.length - posts;
  ctx.summary.push(
    `Plan before the test refused by the gate (changes stored: ${stored}, messages posted: ${posted}): "${refusal.replace(/\s+/g, ' ').slice(0, 140)}…".`,
  );
}

export async function testNewAmi(
  ctx: LifecycleContext,
  bake: BakeRecord,
  baseline: AmiTestRecord | undefined,
): Promise<AmiTestRecord> {
  const { stage, requester } = ctx;
  ctx.banner(`${requester.name} presses "Test on ${DEMO_IDS.testTierId}"`);
  const since = stage.sim.clock.now().getTime();
  await requester.press(ACTION_IDS.testAmi, bake._id);
  const test = await newestTest(stage, since);
  const poll = stage.config.domino.testPollSeconds;
  const before = baseline ? `${pulling(baseline, poll)} on the old AMI → ` : '';
  ctx.summary.push(
    test.toRunningSeconds === undefined
      ? `Test of ${bake.facts.imageId}: ${test.status}, the job never reached Running.`
      : `Test job Pulling: ${before}${pulling(test, poll)} on ${bake.facts.imageId} (${test.status}); to Running ${test.toRunningSeconds.toFixed(0)} s.`,
    test.executor
      ? `The test job ran on ${test.executor.instanceId}, booted from ${test.executor.imageId} for the test; the test tier is ${test.restore?.detail ?? 'back'}.`
      : `The test could not prove which executor ran its job: ${test.unproven ?? '?'}`,
  );
  return test;
}

/** Plan → announce → the requester's own approval refused → the second admin approves → apply → verify. */
export async function planAndApply(ctx: LifecycleContext, bake: BakeRecord): Promise<ChangeRecord> {
  const { stage, requester, approver } = ctx;
  ctx.banner(`${requester.name} presses "Plan rollout"`);
  const known = new Set((await stage.store.changes.listRecent(50)).map((change) => change._id));
  const beforePlan = stage.sink.answers.length;
  await requester.press(ACTION_IDS.planRollout, bake._id);
  const change = await newestChange(stage, 'rollout', known);
  await stage.waitUntil(async () => (await stage.store.changes.get(change._id))?.announcement);
  // The plan's answer to pat is printed under this step, not under the next one.
  await requester.answer(beforePlan, /^Planned/);

  const refusal = await ownApprovalRefused(ctx, change._id);
  ctx.banner(`${approver.name} approves`);
  const applied = await approveAndWait(ctx, change._id);
  const announced = applied.announcement;
  ctx.summary.push(
    `Plan ${change._id}: ${change.updates.length} tier(s) to change, ${change.skipped.length} skipped (${change.skipped.map((s) => `${s.label}: ${s.reason}`).join('; ')}), ${change.unchanged.length} unchanged.`,
    `Announced in #${stage.sim.world.slack.channels[stage.config.announceChannel ?? ''] ?? stage.config.announceChannel} and by DM to ${announced?.dmSent ?? 0} user(s) (${announced?.unknownEmails ?? 0} email(s) without a Slack account).`,
    `${requester.name}'s own approval was refused: "${refusal.replace(/\s+/g, ' ').slice(0, 160)}".`,
    `Approved by ${approver.name}; apply: ${applied.status}, ${applied.result?.applied.length ?? 0} applied, ${applied.result?.conflicts.length ?? 0} conflicts, ${applied.result?.verified.length ?? 0} verified.`,
  );
  return applied;
}

export async function drainReport(ctx: LifecycleContext, change: ChangeRecord): Promise<void> {
  ctx.banner('Executors still on the old AMIs');
  const drain = await ctx.stage
    .waitUntil(async () => {
      const changes = await ctx.stage.store.changes.listRecent(20);
      return changes.find((c) => c.kind === 'drain' && c.drainOf === change._id);
    }, 30_000)
    .catch(() => undefined);
  const plan = drain?.drain;
  const line = plan
    ? `Drain: ${plan.stopped.length} stopped executor(s) can be terminated after approval; ${plan.running.length} running one(s) listed for Maintenance Mode.`
    : 'Drain: no executor on an old AMI.';
  // The drain plan was posted in the thread right after the apply (above); this section says what it holds.
  ctx.write(plan ? `  ${line} (drain plan ${drain._id}, posted in the thread above)` : `  ${line}`);
  for (const executor of [...(plan?.stopped ?? []), ...(plan?.running ?? [])]) {
    ctx.write(`    ${executor.id}  tier ${executor.tierId}  ${executor.imageId}  ${executor.state}`);
  }
  ctx.summary.push(line);
}

export async function revert(ctx: LifecycleContext, change: ChangeRecord): Promise<ChangeRecord> {
  const revertChange = await requestRevert(ctx, change);
  const done = await approveAndWait(ctx, revertChange._id);
  ctx.summary.push(`Revert ${done._id}: ${done.status}, ${done.result?.applied.length ?? 0} tier(s) restored.`);
  return done;
}

export async function quarterlyReview(ctx: LifecycleContext): Promise<void> {
  const { stage, requester } = ctx;
  ctx.banner('Quarterly review');
  const before = stage.sim.chat.messages.length;
  await requester.command('review');
  await stage.waitUntil(() =>
    stage.sim.chat.messages.slice(before).find((message) => /review/i.test(message.text)) ? true : undefined,
  );
  ctx.summary.push('Quarterly review report posted with Start bake / Snooze / Mark reviewed.');
}

export async function printTiers(ctx: LifecycleContext, title: string): Promise<string[]> {
  ctx.banner(title);
  const table = await tierTable(ctx.stage.sim);
  for (const line of table) ctx.write(line);
  return table;
}

/**
 * What the account holds besides August's bake: May's AMI (the Large and pinned tiers still use it) and a March bake
 * nothing uses any more stand for earlier ami-bot bakes, with their records, as August's does.
 */
async function recordBakesBefore(ctx: LifecycleContext): Promise<string> {
  const { stage } = ctx;
  const deployment = stage.config.deployments[0]!.name;
  const record = async (id: string, image: SimImage) => {
    const bake = earlierBake(ctx, id, image);
    for (const snapshot of stage.sim.world.snapshots.values())
      if (snapshot.imageId === image.id) snapshot.tags = image.tags;
    await stage.store.bakes.insert(bake);
  };
  const may = [...stage.sim.world.images.values()].find(
    (i) => i.name === `domino-${deployment}-executor-20260510-1400`,
  );
  if (may) await record('bake-20260510-may1', may);
  const march = addImage(
    stage.sim.world,
    `domino-${deployment}-executor-20260302-1000`,
    Date.parse('2026-03-02T10:00:00Z'),
    {},
    [],
  );
  await record('bake-20260302-mar1', march);
  ctx.write(
    `  (earlier bakes on record: May's ${may?.id ?? '(none)'}, which the Large and pinned tiers still use, and March's ${march.id}, which nothing uses)`,
  );
  return march.id;
}

/** After the rollout and the revert: the inventory, a prune of what the policy retires, two people, the report. */
export async function pruneAfterRollout(ctx: LifecycleContext): Promise<void> {
  const { stage, requester, approver } = ctx;
  ctx.banner(`${requester.name} looks at the AMIs the bakes left and prunes the superseded ones`);
  // Recorded with August's at the start (the review counts them too); a story without the baseline records them now.
  const march = (await stage.store.bakes.get('bake-20260302-mar1'))?.facts.imageId ?? (await recordBakesBefore(ctx));
  let since = stage.sink.answers.length;
  await requester.command('images');
  const images = await requester.answer(since, /AMIs of /);
  ctx.write(`  /ami images: ${images.split('\n')[0]}`);
  const posts = stage.sim.chat.messages.length;
  since = stage.sink.answers.length;
  await requester.command('prune');
  await requester.answer(since, /planned/);
  const [prune] = await stage.store.prunes.listRecent(1);
  if (!prune) throw new Error('no prune was planned');
  since = stage.sink.answers.length;
  await requester.press(ACTION_IDS.pruneApprove, prune._id);
  const refused = await requester.answer(since, /.+/);
  ctx.write(
    `  ${requester.name} presses Approve on their own prune: ${refused.split('\n')[0]?.replace(/<@\w+>/g, `@${requester.name}`)}`,
  );
  since = stage.sink.answers.length;
  await approver.press(ACTION_IDS.pruneApprove, prune._id);
  await approver.answer(since, /approved/i);
  const done = await stage.waitUntil(async () => {
    const record = await stage.store.prunes.get(prune._id);
    return record?.result ? record : undefined;
  }, 60_000);
  const report = await stage.waitUntil(
    () => stage.sim.chat.messages.slice(posts).find((m) => m.threadTs !== undefined && /Prune/.test(m.text)),
    60_000,
  );
  ctx.write(`  report in the prune's thread: ${report.text.split('\n')[0]}`);
  const gone = !stage.sim.world.images.has(march);
  ctx.summary.push(
    `Prune ${done._id} approved by ${approver.name} (not by its requester): ${done.result?.retired ?? 0} AMI retired, ${done.result?.snapshotsDeleted ?? 0} snapshots deleted; March's ${march} ${gone ? 'is gone' : 'is still there'}; every AMI a tier uses kept.`,
  );
}

/** Before the bake: what `--images auto` would bake now, and why (`/ami suggest` bakes nothing). */
export async function previewImages(ctx: LifecycleContext): Promise<void> {
  const { stage, requester } = ctx;
  ctx.banner(`${requester.name} asks which images --images auto would bake`);
  const since = stage.sink.answers.length;
  await requester.command('suggest');
  const answer = await requester.answer(since, /Suggested images for |No image suggestion/);
  ctx.summary.push(`/ami suggest: ${answer.split('\n')[0]}`);
}
