// A simulated deployment for the AMI lifecycle tests: the demo world's EC2 and tiers on a manual clock, an
// in-memory store, and helpers that make what a year of operations leaves behind (bakes, rollouts, executors,
// tests, a failed bake's image, a snapshot whose image vanished).
import { createMemoryStateStore } from '../../src/adapters/memory/memory-state-store.js';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { bakeImageTags, DEPLOYMENT_TAG } from '../../src/bake/image-tags.js';
import { type Config, configSchema, type RetentionConfig } from '../../src/config-schema.js';
import type { LifecycleDeps } from '../../src/lifecycle/lifecycle-deps.js';
import type { Ec2Port } from '../../src/ports/ec2.js';
import type { AmiTestRecord } from '../../src/rollout/ami-test-record.js';
import type { ChangeRecord } from '../../src/rollout/change-record.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { createManualClock, createSimulator, EXECUTOR_GROUP_TAG } from '../../src/sim/index.js';
import { launchInstance } from '../../src/sim/sim-instances.js';

export const REQUESTER = 'U0PLANNER1';
export const APPROVER = 'U0APPROVE1';
const HOUR = 3_600_000;

export function lifecycleConfig(retention: Partial<RetentionConfig>): Config {
  return configSchema.parse({
    slack: { botToken: 'xoxb-test' },
    mongo: {},
    opsChannels: ['C0OPS00001'],
    admins: [REQUESTER],
    approvers: { users: [APPROVER] },
    deployments: [{ name: 'acme', retention }],
  });
}

export function createLifecycleWorld(retention: Partial<RetentionConfig>, ec2Override?: (ec2: Ec2Port) => Ec2Port) {
  const clock = createManualClock(new Date('2026-09-01T09:00:00Z'));
  const sim = createSimulator({ clock, write: () => {} });
  const store = createMemoryStateStore();
  const config = lifecycleConfig(retention);
  const template = [...sim.world.instances.values()].find((i) => i.tags.Name === 'acme-executor-template')!;
  let count = 0;
  const deps: LifecycleDeps = {
    config,
    store,
    ec2: ec2Override ? ec2Override(sim.ec2) : sim.ec2,
    tiers: sim.dominoTiers,
    chat: { userGroupMembers: async () => [] },
    clock,
    logger: createSilentLogger(),
  };

  /** A bake that ends as given: its image is made from the template, tagged as the bake does, and waited for. */
  async function bake(status: 'succeeded' | 'failed' = 'succeeded'): Promise<string> {
    count += 1;
    const now = clock.now();
    const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
    const record: BakeRecord = {
      _id: `bake-${stamp.slice(0, 8)}-${String(count).padStart(4, '0')}`,
      deployment: 'acme',
      requester: REQUESTER,
      channel: 'C0OPS00001',
      images: [],
      noReboot: true,
      status,
      steps: {},
      facts: { instanceId: template.id, imageName: `domino-acme-executor-${stamp}` },
      createdAt: now,
      updatedAt: now,
    };
    const imageId = await sim.ec2.createImage({
      instanceId: template.id,
      name: record.facts.imageName!,
      description: 'year of bakes',
      noReboot: true,
      deviceNames: template.blockDeviceNames,
      tags: bakeImageTags(record),
    });
    // A failed bake whose cleanup did not run: its record never saved the image id (an orphan).
    if (status === 'succeeded') record.facts.imageId = imageId;
    await store.bakes.insert(record);
    await clock.advance(2 * HOUR);
    return imageId;
  }

  /** A rollout of `to` to the standard tiers, recorded as an applied change whose revert record is `from`. */
  async function rollOut(to: string): Promise<ChangeRecord> {
    const now = clock.now();
    const tiers = sim.world.tiers.filter((t) => ['small-k8s', 'medium', 'test-tier'].includes(t.doc._id));
    const updates = tiers.map((t) => ({
      id: t.doc._id,
      idType: t.idType,
      label: t.doc._id,
      executorImage: t.doc.executorImage,
      from: t.doc.executorImage,
      to,
    }));
    for (const t of tiers) t.doc.executorImage = to;
    const change = {
      _id: `chg-${now.toISOString().slice(0, 10).replaceAll('-', '')}-${String(count).padStart(4, '0').slice(-4)}`,
      kind: 'rollout',
      deployment: 'acme',
      requester: REQUESTER,
      createdAt: now,
      deadline: new Date(now.getTime() + HOUR),
      targetAmi: to,
      snapshot: updates.map(({ id, idType, label, executorImage }) => ({ id, idType, label, executorImage })),
      updates,
      skipped: [],
      unchanged: [],
      channel: 'C0OPS00001',
      status: 'applied',
      decision: { outcome: 'approved', by: APPROVER, at: now },
      apply: { owner: 'test', at: now, attempt: 1 },
      result: { status: 'applied', at: now, applied: [], conflicts: [], verified: [], unverified: [] },
    } as ChangeRecord;
    await store.changes.insert(change);
    return change;
  }

  /** An executor of `tier` launched from the AMI, left in the given state. */
  async function executor(imageId: string, tier: string, state: 'running' | 'stopped') {
    const tags = { Name: `acme-executor-${tier}`, 'domino-deployment': 'acme', [EXECUTOR_GROUP_TAG]: tier };
    const instance = launchInstance(sim.world, { imageId, tags, nowMs: clock.now().getTime() });
    await clock.advance(5 * 60_000);
    if (state === 'stopped') {
      await sim.ec2.stopInstance(instance.id);
      await clock.advance(5 * 60_000);
    }
    return instance.id;
  }

  async function runningTest(amiId: string): Promise<AmiTestRecord> {
    const now = clock.now();
    const test = {
      _id: `test-${now.toISOString().slice(0, 10).replaceAll('-', '')}-t001`,
      deployment: 'acme',
      requester: REQUESTER,
      amiId,
      tierId: 'test-tier',
      tierLabel: 'AMI test tier',
      previousAmi: sim.world.tiers.find((t) => t.doc._id === 'test-tier')!.doc.executorImage,
      channel: 'C0OPS00001',
      status: 'running',
      staleExecutors: [],
      seconds: {},
      statesSeen: [],
      pullPassSeconds: 5,
      createdAt: now,
    } as AmiTestRecord;
    await store.amiTests.insert(test);
    return test;
  }

  /** This deployment's tagged images still registered. */
  const taggedImageIds = () =>
    [...sim.world.images.values()].filter((i) => i.tags[DEPLOYMENT_TAG] === 'acme').map((i) => i.id);

  /** Every AMI something uses now, read from the world and the store (independently of the lifecycle code). */
  async function referencedNow(recentChanges: number): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const tier of sim.world.tiers) ids.add(tier.doc.executorImage);
    for (const i of sim.world.instances.values()) if (i.state !== 'terminated') ids.add(i.imageId);
    for (const c of await store.changes.listRecent(recentChanges, 'acme')) {
      for (const u of c.updates) ids.add(u.from).add(u.to);
    }
    for (const t of await store.amiTests.listRecent(50, 'acme'))
      if (t.status === 'running') ids.add(t.amiId).add(t.previousAmi);
    return ids;
  }

  return {
    sim,
    world: sim.world,
    clock,
    store,
    config,
    deps,
    bake,
    rollOut,
    executor,
    runningTest,
    taggedImageIds,
    referencedNow,
  };
}
