import type { BakeRecord } from '../bake/bake-record.js';
import { BAKE_ID_TAG } from '../bake/image-tags.js';
import type { AmiTestRecord } from '../rollout/ami-test-record.js';
import type { ChangeRecord } from '../rollout/change-record.js';
import { toCachedImage } from '../sim/disk-cache.js';
import { DEMO_IDS, type SeededEks, type SimWorld } from '../sim/index.js';
import { ACTION_IDS } from '../slack/action-ids.js';
import type { DemoStage } from './demo-stage.js';
import type { LifecycleContext } from './lifecycle.js';
import {
  approveAndWait,
  newestChange,
  newestTest,
  ownApprovalRefused,
  recordEarlierBake,
  requestRevert,
} from './lifecycle.js';

interface NodegroupRow {
  name: string;
  pool: string;
  status: string;
  template: string;
  ami: string;
  amiName: string;
  nodes: string[];
}

function rowsOf(world: SimWorld, cluster: string): NodegroupRow[] {
  const nodegroups = [...(world.clusters.get(cluster)?.nodegroups.values() ?? [])];
  return nodegroups.map((ng) => {
    const lt = ng.launchTemplate ? world.launchTemplates.get(ng.launchTemplate.id) : undefined;
    const version = lt?.versions[Number(ng.launchTemplate?.version) - 1];
    const ami = version?.imageId ?? '';
    return {
      name: ng.name,
      pool: ng.labels['dominodatalab.com/node-pool'] ?? '',
      status: ng.status,
      template: ng.launchTemplate ? `${ng.launchTemplate.id} v${ng.launchTemplate.version}` : '(none)',
      ami: ami || `(EKS: ${ng.amiType})`,
      amiName: ami ? (world.images.get(ami)?.name ?? '(unknown AMI)') : '',
      nodes: ng.nodeIds.slice(),
    };
  });
}

/** The cluster's managed node groups as an admin would tabulate them: pool, launch template version, AMI, nodes. */
export function nodegroupTable(world: SimWorld, cluster: string): string[] {
  const rows = rowsOf(world, cluster).map((row) => [
    row.name,
    row.pool,
    row.status,
    row.template,
    row.ami,
    row.amiName,
    row.nodes.join(' '),
  ]);
  const header = ['node group', 'pool', 'status', 'launch template', 'AMI', 'AMI name', 'nodes'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)];
}

export function printNodegroups(ctx: LifecycleContext, cluster: string, title: string): string[] {
  ctx.banner(title);
  const table = nodegroupTable(ctx.stage.sim.world, cluster);
  for (const line of table) ctx.write(line);
  return table;
}

/**
 * What EKS did for each node group the change moved, in the order it happened, as `aws eks describe-update` tells
 * it: the update to the new launch template version (the node group UPDATING while it ran) and the nodes it
 * drained and replaced. Read from the world after the apply, so the lines never trail the bot's own messages.
 */
function reportUpdates(ctx: LifecycleContext, cluster: string, names: string[], sinceMs: number): void {
  const world = ctx.stage.sim.world;
  const nodegroups = world.clusters.get(cluster)?.nodegroups;
  const updates = names
    .flatMap((id) => (nodegroups?.get(id)?.updates ?? []).map((update) => ({ planned: { id }, update })))
    .filter(({ update }) => update.createdMs >= sinceMs)
    .sort((a, b) => a.update.createdMs - b.update.createdMs);
  for (const { planned, update } of updates) {
    const at = new Date(update.createdMs).toISOString().slice(11, 19);
    const image = (id: string) => world.instances.get(id)?.imageId ?? '?';
    ctx.write(
      `  ${at} ${planned.id}: UPDATING to launch template version ${update.launchTemplate.version} (update ${update.id}) → ${update.status}; EKS drained ${update.terminatedIds.map((id) => `${id} (${image(id)})`).join(', ') || 'no node'} and replaced it with ${update.launchedIds.map((id) => `${id} (${image(id)})`).join(', ') || 'no node'}; now ${nodegroups?.get(planned.id)?.status}`,
    );
  }
}

/**
 * The bake thread's Test button: the bot points the test node group at the new AMI (a new launch template version,
 * EKS replacing its node), runs the job on the hardware tier of its pool, proves the node that ran it was launched
 * from the new AMI after the switch, and points the node group back (one more version, with the old AMI).
 */
export async function eksTestNewAmi(ctx: LifecycleContext, bake: BakeRecord, cluster: string): Promise<AmiTestRecord> {
  const { stage, requester } = ctx;
  const nodegroup = stage.config.deployments[0]?.eks?.testNodegroup ?? '';
  ctx.banner(`${requester.name} presses "Test" on the test node group ${nodegroup}`);
  const since = stage.sim.clock.now().getTime();
  await requester.press(ACTION_IDS.testAmi, bake._id);
  const ended = await newestTest(stage, since);
  // The restore is the last step: the test is only over for the node group once it is back on the old AMI.
  const test = await stage.waitUntil(async () => {
    const current = await stage.store.amiTests.get(ended._id);
    return current?.restore ? current : undefined;
  }, 60_000);
  ctx.banner(`What EKS did to the test node group ${nodegroup}`);
  reportUpdates(ctx, cluster, [nodegroup], since);
  const world = stage.sim.world;
  const ng = world.clusters.get(cluster)?.nodegroups.get(nodegroup);
  const lt = ng?.launchTemplate ? world.launchTemplates.get(ng.launchTemplate.id) : undefined;
  const versions = (lt?.versions ?? []).map((v) => `v${v.number} ${v.imageId}`).join(' → ');
  const job = test.jobId ? world.jobs.get(test.jobId) : undefined;
  const proof = test.executor
    ? `job ${test.jobId} ran on hardware tier ${job?.tierId ?? test.hardwareTierId} on node ${test.executor.instanceId}, launched ${test.executor.launchTime.toISOString().slice(11, 19)} from ${test.executor.imageId}`
    : `not proven: ${test.unproven ?? '?'}`;
  ctx.write(`  Proof: ${proof}.`);
  ctx.write(`  ${nodegroup}'s launch template versions: ${versions}; now on v${ng?.launchTemplate?.version}.`);
  ctx.summary.push(
    `Test ${test._id} of ${bake.facts.imageId}: ${test.status}; ${proof}.`,
    `Test node group ${nodegroup}: switched to the new AMI and ${test.restore?.outcome ?? 'not restored'} (launch template ${versions}).`,
  );
  return test;
}

/**
 * Plan (the passed test is the gate's test, no override), announce, the requester's own approval refused, the
 * second admin approves, and EKS rolls each node group onto the new launch template version.
 */
export async function eksPlanAndApply(ctx: LifecycleContext, bake: BakeRecord, cluster: string): Promise<ChangeRecord> {
  const { stage, requester, approver } = ctx;
  ctx.banner(`${requester.name} plans the rollout to the node groups`);
  const known = new Set((await stage.store.changes.listRecent(50)).map((change) => change._id));
  const plan = `plan ${bake._id}`;
  const beforeDrift = stage.sink.answers.length;
  await requester.command(plan);
  // The seed's launch templates are Terraform's (Domino's terraform-aws-eks modules): the first plan is refused
  // with the variable change that would make Terraform agree, and nothing is planned.
  const drift = await requester.answer(beforeDrift, /drift from the Terraform state/);
  const planned = (await stage.store.changes.listRecent(50)).filter((c) => !known.has(c._id)).length;
  ctx.banner(`${requester.name} accepts the Terraform drift and plans again`);
  const beforePlan = stage.sink.answers.length;
  await requester.command(`${plan} --accept-terraform-drift`);
  const change = await newestChange(stage, 'rollout', known);
  await stage.waitUntil(async () => (await stage.store.changes.get(change._id))?.announcement);
  await requester.answer(beforePlan, /^Planned/);

  const refusal = await ownApprovalRefused(ctx, change._id);
  ctx.banner(`${approver.name} approves; EKS replaces the nodes of each node group`);
  const approvedAt = stage.sim.clock.now().getTime();
  const applied = await approveAndWait(ctx, change._id);
  ctx.banner('What EKS did, node group by node group');
  reportUpdates(
    ctx,
    cluster,
    applied.updates.map((u) => u.id),
    approvedAt,
  );
  const announced = applied.announcement;
  ctx.summary.push(
    `Plan ${change._id}: ${change.updates.length} node group(s) to change, ${change.skipped.length} skipped (${change.skipped.map((s) => `${s.id}: ${s.detail}`).join('; ')}).`,
    change.gate?.test
      ? `Gate: tested by ${change.gate.test.id} (no override).`
      : `Gate: overridden ("${change.gate?.override?.reason ?? ''}").`,
    `First plan refused for Terraform drift (changes stored: ${planned}), with the variables to set: ${drift.match(/additional_node_groups\.[\w-]+\.ami/g)?.length ?? 0} node group(s); planned again with --accept-terraform-drift.`,
    `Announced in #${stage.sim.world.slack.channels[stage.config.announceChannel ?? ''] ?? stage.config.announceChannel} (${announced?.dmSent ?? 0} DM(s)).`,
    `${requester.name}'s own approval was refused: "${refusal.replace(/\s+/g, ' ').slice(0, 120)}".`,
    `Approved by ${approver.name}; apply: ${applied.status}, ${applied.result?.applied.length ?? 0} node group(s) updated, ${applied.result?.conflicts.length ?? 0} conflicts, ${applied.result?.verified.length ?? 0} verified.`,
  );
  return applied;
}

/** What EKS did, checked on the world: each moved node group's new version, its AMI, its nodes all replaced. */
export function verifyNodegroups(ctx: LifecycleContext, change: ChangeRecord, ami: string): string {
  const world = ctx.stage.sim.world;
  const lines: string[] = [];
  let good = 0;
  for (const update of change.updates) {
    const ng = [...world.clusters.values()]
      .flatMap((c) => [...c.nodegroups.values()])
      .find((n) => n.name === update.id);
    const lt = ng?.launchTemplate ? world.launchTemplates.get(ng.launchTemplate.id) : undefined;
    const version = lt?.versions[Number(ng?.launchTemplate?.version) - 1];
    const nodes = (ng?.nodeIds ?? []).map((id) => world.instances.get(id));
    const onAmi = nodes.filter((node) => node?.imageId === ami && node.state === 'running').length;
    const ok = version?.imageId === ami && nodes.length > 0 && onAmi === nodes.length;
    if (ok) good += 1;
    lines.push(
      `  ${update.id}: launch template version ${version?.number} of ${lt?.versions.length} → ${version?.imageId}; ${onAmi}/${nodes.length} node(s) running it${ok ? '' : '  ✗'}`,
    );
  }
  for (const line of lines) ctx.write(line);
  return `${good}/${change.updates.length}`;
}

/** EKS drained and replaced the nodes itself: the drain after the apply says so, and plans nothing to terminate. */
export async function eksDrainReport(ctx: LifecycleContext, change: ChangeRecord): Promise<void> {
  const { stage } = ctx;
  ctx.banner('What a drain means for EKS node groups');
  const notice = await stage.waitUntil(
    () => stage.sim.chat.messages.find((message) => message.text.includes(`Drain after ${change._id}`))?.text,
    30_000,
  );
  const drains = (await stage.store.changes.listRecent(50)).filter(
    (c) => c.kind === 'drain' && c.drainOf === change._id,
  );
  const replaced = change.updates.flatMap(
    (u) => stage.sim.world.clusters.get(clusterOf(stage))?.nodegroups.get(u.id)?.updates.at(-1)?.terminatedIds ?? [],
  );
  ctx.write(`  (the drain after the apply, posted in the thread above: ${drains.length} drain change(s) planned)`);
  ctx.summary.push(
    `Drain: ${notice.includes('nothing to terminate') ? 'EKS drained and replaced the nodes itself; nothing to terminate' : notice}; drain changes planned: ${drains.length}${replaced.length ? `, ${replaced.length} old node(s) terminated by EKS` : ''}.`,
  );
}

/** `/ami revert`: EKS cannot roll a node group back, so the revert is one more version with the recorded AMI. */
export async function eksRevert(ctx: LifecycleContext, change: ChangeRecord, seeded: SeededEks): Promise<ChangeRecord> {
  const revertChange = await requestRevert(ctx, change);
  const approvedAt = ctx.stage.sim.clock.now().getTime();
  const done = await approveAndWait(ctx, revertChange._id);
  ctx.banner('What EKS did for the revert');
  reportUpdates(
    ctx,
    seeded.cluster,
    done.updates.map((u) => u.id),
    approvedAt,
  );
  ctx.banner('Verify the revert: the launch template versions and the nodes');
  const verified = verifyNodegroups(ctx, done, seeded.nodeImageId);
  ctx.summary.push(
    `Revert ${done._id}: ${done.status}; a new launch template version with the recorded AMI ${seeded.nodeImageId} on ${verified} node group(s), nodes replaced again (EKS cannot roll a node group back).`,
  );
  return done;
}

/** The stage's seeded cluster, for the steps that read the world. */
export function clusterOf(stage: DemoStage): string {
  return stage.config.deployments[0]?.eks?.cluster ?? '';
}

/**
 * `/ami images` on EKS: the AMIs the bakes left, each with what still uses it (node groups, their nodes, changes),
 * so the lifecycle's words on a node-group deployment are shown as the admin reads them.
 */
export async function eksImages(ctx: LifecycleContext): Promise<void> {
  const { stage, requester } = ctx;
  ctx.banner(`${requester.name} looks at the AMIs the bakes left`);
  const since = stage.sink.answers.length;
  await requester.command('images');
  const images = await requester.answer(since, /AMIs of /);
  ctx.summary.push(`/ami images: ${images.split('\n')[0]}`);
}

/**
 * The seed's node AMI stands for August's bake of the node pools (its tags name it): the demo's fresh store gets
 * that bake's record, and the AMI the base image it pulled into containerd, so that the suggestion's diff and the
 * orphan sweep see what a real deployment would.
 */
export async function recordEarlierNodeBake(ctx: LifecycleContext): Promise<void> {
  const { world } = ctx.stage.sim;
  const image = [...world.images.values()].find((i) => i.tags[BAKE_ID_TAG] !== undefined);
  const base = world.registry.lookup(DEMO_IDS.images.base);
  if (!image || !base) return;
  image.containerdImages = new Map([[base.ref, toCachedImage(base)]]);
  await recordEarlierBake(ctx, image.id, image.tags[BAKE_ID_TAG]);
}
