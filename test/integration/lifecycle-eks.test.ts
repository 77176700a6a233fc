// The AMI lifecycle on an eks-node-groups deployment (issue 16): its references come through the rollout-target
// port, so the AMI a node group's launch template version names is in use exactly like a tier's, at plan time and
// again at apply time. On the simulator's EKS and launch templates (seed-eks-cluster.ts), a manual clock.
import { describe, expect, it } from 'vitest';
import { createMemoryStateStore } from '../../src/adapters/memory/memory-state-store.js';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { bakeImageTags } from '../../src/bake/image-tags.js';
import { configSchema } from '../../src/config-schema.js';
import { applyPrune } from '../../src/lifecycle/apply-prune.js';
import { decidePrune } from '../../src/lifecycle/decide-prune.js';
import { gatherInventory } from '../../src/lifecycle/gather-inventory.js';
import type { LifecycleDeps } from '../../src/lifecycle/lifecycle-deps.js';
import { startPrune } from '../../src/lifecycle/start-prune.js';
import { unconfiguredTiers } from '../../src/rollout/unconfigured-ports.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { createManualClock, createSimulator, seedEksCluster } from '../../src/sim/index.js';
import { addImage } from '../../src/sim/seed-demo-world.js';
import { addLaunchTemplateVersion } from '../../src/sim/sim-launch-templates.js';

const REQUESTER = 'U0PLANNER1';
const APPROVER = 'U0APPROVE1';
const DAY = 86_400_000;

async function eksWorld() {
  const clock = createManualClock(new Date('2026-12-03T10:00:00Z'));
  const sim = createSimulator({ clock, write: () => {}, seedWorld: false });
  const seeded = seedEksCluster(sim.world);
  const store = createMemoryStateStore();
  const config = configSchema.parse({
    slack: { botToken: 'xoxb-test' },
    mongo: {},
    opsChannels: ['C0OPS00001'],
    admins: [REQUESTER],
    approvers: { users: [APPROVER] },
    deployments: [
      {
        name: 'acme',
        kind: 'eks-node-groups',
        eks: { cluster: seeded.cluster, nodePools: ['default', 'compute', 'test'] },
        retention: { keepLast: 1, keepDays: 0, recentChanges: 1 },
      },
    ],
  });
  const deps: LifecycleDeps = {
    config,
    store,
    ec2: sim.ec2,
    // No Domino tiers at all: an EKS deployment's targets are its node groups.
    tiers: unconfiguredTiers(),
    eks: sim.eks,
    launchTemplates: sim.launchTemplates,
    chat: { userGroupMembers: async () => [] },
    clock,
    logger: createSilentLogger(),
  };
  let count = 0;
  /** An AMI as a succeeded bake of acme leaves it (tags and bake record), made `daysAgo` days ago. */
  async function baked(daysAgo: number): Promise<string> {
    count += 1;
    const at = new Date(clock.now().getTime() - daysAgo * DAY);
    const record: BakeRecord = {
      _id: `bake-${at.toISOString().slice(0, 10).replaceAll('-', '')}-${String(count).padStart(4, '0')}`,
      deployment: 'acme',
      requester: REQUESTER,
      channel: 'C0OPS00001',
      images: [],
      noReboot: true,
      status: 'succeeded',
      steps: {},
      facts: { imageName: `domino-acme-eks-node-${count}` },
      createdAt: at,
      updatedAt: at,
    };
    const image = addImage(sim.world, record.facts.imageName!, at.getTime(), {}, []);
    record.facts.imageId = image.id;
    image.tags = bakeImageTags(record);
    for (const id of image.snapshotIds) sim.world.snapshots.get(id)!.tags = image.tags;
    await store.bakes.insert(record);
    return image.id;
  }
  /** Points a node group at an AMI the way a rollout does: a new launch template version, made the node group's. */
  function pointNodegroup(name: string, imageId: string) {
    const template = sim.world.launchTemplates.get(seeded.templateIds[name]!)!;
    const base = template.versions.at(-1)!;
    const version = addLaunchTemplateVersion(template, { ...base, imageId, description: 'rolled' });
    sim.world.clusters.get(seeded.cluster)!.nodegroups.get(name)!.launchTemplate!.version = String(version.number);
  }
  return { clock, sim, seeded, store, deps, baked, pointNodegroup };
}

describe('the AMI lifecycle on EKS node groups', () => {
  it('counts the AMI of a node group’s launch template version as in use: planned kept, never pruned', async () => {
    const w = await eksWorld();
    const oldest = await w.baked(300);
    // Used only through the compute node groups' launch template: no node was launched from it yet.
    const onCompute = await w.baked(200);
    const newest = await w.baked(10);
    for (const name of w.seeded.pools.compute!) w.pointNodegroup(name, onCompute);

    const inventory = await gatherInventory(w.deps, w.deps.config.deployments[0]!);
    expect(inventory.amis.find((a) => a.id === onCompute)?.references).toEqual(
      w.seeded.pools.compute!.map((name) => ({ kind: 'node-group', nodegroup: name, label: `${name} (pool compute)` })),
    );
    const prune = await startPrune(w.deps, { requester: REQUESTER });
    expect(prune.plan.kept.map((k) => [k.imageId, k.reason.kind])).toEqual([
      [newest, 'newest'],
      // The seed's own earlier bake, which the default and test node groups still run.
      [w.seeded.nodeImageId, 'referenced'],
      [onCompute, 'referenced'],
    ]);
    expect(prune.plan.retire.map((r) => r.imageId)).toEqual([oldest]);

    await decidePrune(w.deps, { pruneId: prune._id, userId: APPROVER, decision: 'approve' });
    const report = await applyPrune(w.deps, prune._id);
    expect(report.done).toBe(true);
    expect(report.items.map((i) => i.outcome?.kind)).toEqual(['retired']);
    expect(w.sim.world.images.has(oldest)).toBe(false);
    expect(w.sim.world.images.has(onCompute)).toBe(true);
    expect([...w.sim.world.snapshots.values()].filter((s) => s.imageId === oldest)).toEqual([]);
  });

  it('re-checks at apply time: a node group moved onto a planned AMI after the plan keeps it', async () => {
    const w = await eksWorld();
    const old = await w.baked(300);
    await w.baked(10);
    const prune = await startPrune(w.deps, { requester: REQUESTER });
    expect(prune.plan.retire.map((r) => r.imageId)).toEqual([old]);

    // Someone points the test node group at the old AMI between the plan and the approval.
    w.pointNodegroup(w.seeded.pools.test![0]!, old);
    await decidePrune(w.deps, { pruneId: prune._id, userId: APPROVER, decision: 'approve' });
    const report = await applyPrune(w.deps, prune._id);
    expect(report.items[0]?.outcome).toMatchObject({
      kind: 'kept',
      why: `still referenced: node group ${w.seeded.pools.test![0]} (pool test)`,
    });
    expect(w.sim.world.images.get(old)?.state).toBe('available');
  });

  it('keeps the AMI of the launch template version an open change recorded as its revert record', async () => {
    const w = await eksWorld();
    const before = await w.baked(300);
    const after = await w.baked(10);
    const compute = w.seeded.pools.compute![0]!;
    w.pointNodegroup(compute, before);
    const templateId = w.seeded.templateIds[compute]!;
    const guard = `${templateId}:${w.sim.world.launchTemplates.get(templateId)!.versions.length}`;
    w.pointNodegroup(compute, after);
    // The open change's record names the version the node group was on; its AMI is read from EC2.
    await w.store.changes.insert({
      _id: 'chg-20261203-ab12',
      kind: 'rollout',
      deployment: 'acme',
      requester: REQUESTER,
      createdAt: w.clock.now(),
      deadline: new Date(w.clock.now().getTime() + DAY),
      targetAmi: after,
      snapshot: [
        { id: compute, key: `nodegroup:${w.seeded.cluster}/${compute}`, label: compute, executorImage: '', guard },
      ],
      updates: [],
      skipped: [],
      unchanged: [],
      channel: 'C0OPS00001',
      status: 'pending',
    });
    const prune = await startPrune(w.deps, { requester: REQUESTER });
    expect(prune.plan.retire).toEqual([]);
    expect(prune.plan.kept.find((k) => k.imageId === before)?.reason).toEqual({
      kind: 'referenced',
      references: [{ kind: 'change', changeId: 'chg-20261203-ab12', role: 'revert', status: 'pending' }],
    });
  });
});
