import type { BakeRecord } from '../bake/bake-record.js';
import { BAKE_ID_TAG } from '../bake/image-tags.js';
import { createSimulator, DEMO_IDS, type ManualClock, parseFaultNames, seedEksCluster } from '../sim/index.js';
import { createActor } from './demo-actors.js';
import { DEMO_EKS_CLUSTER, DEMO_EKS_TEST_TIER, type DemoKind, demoConfig } from './demo-config.js';
import { createDemoStage, type DemoProcess, type DemoStage } from './demo-stage.js';
import { type DemoTime, scaledDemoTime, virtualDemoTime } from './demo-time.js';
import {
  eksDrainReport,
  eksImages,
  eksPlanAndApply,
  eksRevert,
  eksTestNewAmi,
  printNodegroups,
  recordEarlierNodeBake,
  verifyNodegroups,
} from './eks-lifecycle.js';
import { faultStory, isFaultShown, recoveryEvidence, untestedEnding } from './fault-story.js';
import {
  drainReport,
  type LifecycleContext,
  measureBaseline,
  planAndApply,
  planBeforeTest,
  previewImages,
  printTiers,
  pruneAfterRollout,
  quarterlyReview,
  revert,
  testNewAmi,
} from './lifecycle.js';

export interface DemoOptions {
  /** A simulator fault that shows a failure path (image-failed, highstate-failed, crash-mid-bake, …). */
  fault?: string;
  /** Virtual ms per real ms of the scaled clock `npm run demo` shows the lifecycle on. */
  speed?: number;
  /**
   * A manual clock to run on instead: time moves only while the demo waits for the bot (the in-process test).
   * Default: the scaled clock at `speed`.
   */
  clock?: ManualClock;
  /** `eks`: acme on Domino 4+ (EKS managed node groups) instead of 3.x hardware tiers. */
  kind?: DemoKind;
  write?: (line: string) => void;
}

export interface DemoResult {
  /** True when the lifecycle (or the chosen failure path) went as it should. */
  ok: boolean;
  bake?: BakeRecord;
  tiersBefore: string[];
  tiersAfter: string[];
  summary: string[];
}

const OPS = DEMO_IDS.opsChannel;
const PAT = DEMO_IDS.requester;
const SAM = DEMO_IDS.approvers[0];

/** The two scripted admins (pat requests, sam approves) on the bot process running now, and the demo's output. */
function lifecycleContext(
  stage: DemoStage,
  write: (line: string) => void,
  active: () => DemoProcess,
): LifecycleContext {
  const users = stage.sim.world.slack.users;
  return {
    stage,
    requester: createActor(stage, active, PAT, users[PAT]?.name ?? 'pat'),
    approver: createActor(stage, active, SAM, users[SAM]?.name ?? 'sam'),
    banner: (text: string) => write(`\n━━━ ${text} ${'━'.repeat(Math.max(0, 70 - text.length))}`),
    write,
    summary: [],
  };
}

/**
 * `npm run demo`: the real app — Bolt receiver, use cases, Block Kit — driven by two scripted admins
 * through signed Slack requests, against the simulated AWS, Domino and a console Slack.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const write = options.write ?? ((line: string) => void globalThis.process.stdout.write(`${line}\n`));
  if (options.kind === 'eks') return runEksDemo(options, write);
  const faults = parseFaultNames(options.fault ?? '');
  const time: DemoTime = options.clock ? virtualDemoTime(options.clock) : scaledDemoTime(options.speed ?? 60);
  const sim = createSimulator({ clock: time.clock, faults: faults.filter((f) => f !== 'crash-mid-bake'), write });
  const config = demoConfig(time.speed);
  const stage = await createDemoStage(sim, config, time);
  let current: DemoProcess | undefined;
  const ctx = lifecycleContext(stage, write, () => current!);
  const { summary, banner } = ctx;
  const story = faultStory(faults);
  try {
    const tiersBefore = await printTiers(ctx, 'Hardware tiers before');
    current = await stage.startProcess('ami-bot-1');
    const baseline = story === 'lifecycle' ? await measureBaseline(ctx) : undefined;
    if (story === 'lifecycle') await previewImages(ctx);

    banner(`${ctx.requester.name} bakes a new executor AMI`);
    const bake = faults.includes('crash-mid-bake')
      ? await bakeThroughCrash(stage, current, banner, summary, (next) => {
          current = next;
        })
      : await bakeAndWait(stage, current);
    summary.push(...describeBake(stage, bake), ...recoveryEvidence(faults, sim.world, bake));

    let tiersAfter = tiersBefore;
    let ok = story === 'bake-fails' ? bake.status === 'failed' : bake.status === 'succeeded';
    if (ok && story === 'lifecycle') {
      await planBeforeTest(ctx, bake);
      await testNewAmi(ctx, bake, baseline);
      const change = await planAndApply(ctx, bake);
      tiersAfter = await printTiers(ctx, 'Hardware tiers after the rollout');
      await drainReport(ctx, change);
      await revert(ctx, change);
      await printTiers(ctx, 'Hardware tiers after the revert');
      await quarterlyReview(ctx);
      await pruneAfterRollout(ctx);
    } else if (ok && story === 'test-fails') {
      const test = await testNewAmi(ctx, bake, undefined);
      const planned = (await stage.store.changes.listRecent(1)).length > 0;
      summary.push(untestedEnding(test));
      write(`\n  ${untestedEnding(test)}`);
      ok = test.status !== 'passed' && !planned;
    }
    if (story === 'bake-recovers') ok &&= isFaultShown(faults, sim.world, bake);
    banner('Summary');
    for (const line of summary) write(`• ${line}`);
    return { ok, bake, tiersBefore, tiersAfter, summary };
  } finally {
    await current?.bot.runner.idle();
    await stage.close();
  }
}

/**
 * `npm run demo -- --kind eks`: acme runs Domino 4+ on EKS. The lifecycle on its managed node groups: bake on the
 * node template's containerd, test on the test node group (switched, proven, restored), plan (the test is the gate's,
 * no override), announce, two-person approval, apply (a new launch template version per node group, EKS replacing
 * the nodes), verify, the drain, revert, the quarterly review and `/ami images`.
 */
async function runEksDemo(options: DemoOptions, write: (line: string) => void): Promise<DemoResult> {
  if (options.fault) throw new Error('--fault runs with the hardware-tier demo only; leave out --kind eks');
  const time: DemoTime = options.clock ? virtualDemoTime(options.clock) : scaledDemoTime(options.speed ?? 60);
  const sim = createSimulator({ clock: time.clock, write });
  // With the Domino hardware tier whose jobs go to the test node group's pool: where the AMI test runs its job.
  const seeded = seedEksCluster(sim.world, {
    cluster: DEMO_EKS_CLUSTER,
    nodeTemplate: true,
    testHardwareTier: DEMO_EKS_TEST_TIER,
  });
  const config = demoConfig(time.speed, 'eks');
  const stage = await createDemoStage(sim, config, time);
  let current: DemoProcess | undefined;
  const ctx = lifecycleContext(stage, write, () => current!);
  const { summary, banner } = ctx;
  try {
    const before = printNodegroups(ctx, seeded.cluster, `EKS node groups of ${seeded.cluster} before`);
    current = await stage.startProcess('ami-bot-1');
    await recordEarlierNodeBake(ctx);
    banner(`${ctx.requester.name} bakes a new node AMI on the node template`);
    const bake = await bakeAndWait(stage, current, 'Quarterly refresh of the compute pools: adds Spark and NLP');
    summary.push(...describeEksBake(bake));
    let after = before;
    let ok = bake.status === 'succeeded' && bake.facts.imageId !== undefined;
    const test = ok ? await eksTestNewAmi(ctx, bake, seeded.cluster) : undefined;
    ok &&= test?.status === 'passed' && test.restore?.outcome === 'restored';
    if (ok) {
      printNodegroups(ctx, seeded.cluster, 'EKS node groups after the test');
      const change = await eksPlanAndApply(ctx, bake, seeded.cluster);
      after = printNodegroups(ctx, seeded.cluster, 'EKS node groups after the rollout');
      banner('Verify: the launch template versions and the nodes');
      const verified = verifyNodegroups(ctx, change, bake.facts.imageId!);
      summary.push(
        `Verified on EKS: ${verified} node group(s) on a new launch template version with ${bake.facts.imageId}, all their nodes replaced.`,
      );
      await eksDrainReport(ctx, change);
      const reverted = await eksRevert(ctx, change, seeded);
      await quarterlyReview(ctx);
      await eksImages(ctx);
      ok =
        change.status === 'applied' &&
        change.gate?.override === undefined &&
        reverted.status === 'applied' &&
        verified === `${change.updates.length}/${change.updates.length}`;
    }
    banner('Summary');
    for (const line of summary) write(`• ${line}`);
    return { ok, bake, tiersBefore: before, tiersAfter: after, summary };
  } finally {
    await current?.bot.runner.idle();
    await stage.close();
  }
}

function describeEksBake(bake: BakeRecord): string[] {
  const provision = bake.steps.highstate;
  return [
    `Bake ${bake._id}: ${bake.status}${bake.error ? ` (${bake.error.message})` : ''}.`,
    ...(bake.facts.imageId ? [`AMI ${bake.facts.imageId} — ${bake.facts.imageName}.`] : []),
    `Container runtime detected on the node template: ${bake.facts.containerRuntime ?? 'none'} (images pulled into containerd's k8s.io namespace); provisioning: ${provision?.state ?? 'not run'}${provision?.summary ? ` (${provision.summary})` : ''}.`,
  ];
}

async function bakeAndWait(
  stage: DemoStage,
  proc: DemoProcess,
  note = 'Quarterly refresh: adds the Spark and NLP environments',
): Promise<BakeRecord> {
  await proc.slack.slash({
    text: `bake --images auto --note "${note}"`,
    userId: PAT,
    channelId: OPS,
    responseUrl: stage.sink.urlFor(PAT, OPS),
  });
  const bake = await stage.waitUntil(async () => (await stage.store.bakes.listRecent(1))[0]);
  const ended = await stage.waitUntil(async () => {
    const current = await stage.store.bakes.get(bake._id);
    return current && !['running', 'compensating'].includes(current.status) ? current : undefined;
  }, 120_000);
  await proc.bot.runner.idle();
  return ended;
}

/** Kills the first bot process mid-bake (no cleanup at all) and lets a second one resume the bake. */
async function bakeThroughCrash(
  stage: DemoStage,
  first: DemoProcess,
  banner: (text: string) => void,
  summary: string[],
  replace: (next: DemoProcess) => void,
): Promise<BakeRecord> {
  await first.slack.slash({ text: 'bake', userId: PAT, channelId: OPS, responseUrl: stage.sink.urlFor(PAT, OPS) });
  const bake = await stage.waitUntil(async () => {
    const [current] = await stage.store.bakes.listRecent(1);
    return current?.steps.highstate?.state === 'running' && current.facts.commands?.highstate ? current : undefined;
  }, 60_000);
  banner('ami-bot-1 crashes in the middle of highstate');
  first.bot.runner.abandon();
  await first.bot.stop();
  banner('ami-bot-2 starts and resumes the bake once the lease expires');
  const second = await stage.startProcess('ami-bot-2');
  replace(second);
  const ended = await stage.waitUntil(async () => {
    const current = await stage.store.bakes.get(bake._id);
    return current && !['running', 'compensating'].includes(current.status) ? current : undefined;
  }, 120_000);
  await second.bot.runner.idle();
  const highstates = stage.sim.world.commands.filter((c) => c.commands.join('\n').includes('state.highstate'));
  summary.push(`Crash mid-highstate: resumed by ami-bot-2; highstate sent ${highstates.length} time(s).`);
  return ended;
}

function describeBake(stage: DemoStage, bake: BakeRecord): string[] {
  const world = stage.sim.world;
  const ours = [...world.images.values()].filter((image) => image.tags[BAKE_ID_TAG] === bake._id);
  const live = ours.filter((image) => image.state !== 'deregistered');
  const template = [...world.instances.values()].find((i) => i.tags.Name?.includes('executor-template'));
  const lines = [`Bake ${bake._id}: ${bake.status}${bake.error ? ` (${bake.error.message})` : ''}.`];
  if (bake.facts.imageId) lines.push(`AMI ${bake.facts.imageId} — ${bake.facts.imageName}.`);
  lines.push(`AMIs from this bake still registered: ${live.length}; template is ${template?.state}.`);
  return lines;
}
