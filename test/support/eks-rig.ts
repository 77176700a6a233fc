// The rollout's use cases on an eks-node-groups deployment (acme, cluster seeded by seedEksCluster): the simulator's
// EKS and launch templates, the in-memory store, a manual clock, the real presenter and a recording chat.
import { expect } from 'vitest';
import { createMemoryStateStore } from '../../src/adapters/memory/memory-state-store.js';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { newStepTable } from '../../src/bake/bake-steps.js';
import { bakeImageTags } from '../../src/bake/image-tags.js';
import { type Config, loadConfig } from '../../src/config.js';
import { type ChangeRecord, snapshotOf, targetUpdateOf } from '../../src/rollout/change-record.js';
import type { RolloutDeps } from '../../src/rollout/rollout-deps.js';
import { targetsFor } from '../../src/rollout/targets/targets-for.js';
import { unconfiguredTiers, unconfiguredTierUsers } from '../../src/rollout/unconfigured-ports.js';
import { createBackgroundTasks } from '../../src/shared/background-tasks.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { createSystemClock } from '../../src/shared/system-clock.js';
import {
  createManualClock,
  createSimulator,
  type ManualClock,
  type Simulator,
  seedEksCluster,
} from '../../src/sim/index.js';
import { addImage } from '../../src/sim/seed-demo-world.js';
import { createRolloutPresenter } from '../../src/slack/rollout-presenter.js';
import { createRecordingChat } from './recording-chat.js';

export const ADMIN = 'U0ADMIN01';
export const APPROVER = 'U0APPR001';
export const COMPUTE = ['compute-us-west-2a', 'compute-us-west-2b'];

export interface EksRigOptions {
  /** More keys of the deployment's `eks` block, as YAML flow entries (`runningWork: wait-idle`). */
  eks?: string;
  /** More keys of the deployment, as YAML lines indented by 4. */
  deployment?: string;
  /** Replaces ports of the use cases (Domino's API, tier users) after the rig made them. */
  deps?: (sim: ReturnType<typeof createSimulator>) => Partial<RolloutDeps>;
}

/** The configuration of an EKS rig: ADMIN and APPROVER, one ops channel, and the deployments of `yaml`. */
export function loadEksConfig(yaml: string, images: string): Config {
  return loadConfig(
    {
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'test-signing-secret',
      AMIBOT_OPS_CHANNELS: 'C0OPS00001',
      AMIBOT_ADMINS: ADMIN,
      AMIBOT_APPROVERS: [ADMIN, APPROVER].join(','),
      AMIBOT_IMAGES: images,
      AMIBOT_CONFIG: '/c.yaml',
      // Domino's MongoDB is still required by the config; this deployment never reads it (unconfiguredTiers).
      MONGODB_URI: 'mongodb://127.0.0.1:1/unused',
    },
    () => yaml,
  );
}

/** The rollout's ports on the simulator for an eks-node-groups deployment: a fresh in-memory store, no tier documents. */
export function simEksDeps(sim: Simulator, config: Config, clock: ManualClock, chat: RolloutDeps['chat']): RolloutDeps {
  const logger = createSilentLogger();
  return {
    config,
    store: createMemoryStateStore(),
    chat,
    presenter: createRolloutPresenter(config),
    clock,
    wallClock: createSystemClock(),
    logger,
    ec2: sim.ec2,
    tiers: unconfiguredTiers(),
    tierUsers: unconfiguredTierUsers(),
    domino: sim.dominoApi,
    tasks: createBackgroundTasks(logger),
    owner: 'first-process',
    eks: sim.eks,
    launchTemplates: sim.launchTemplates,
  };
}

export async function eksRig(options: EksRigOptions = {}) {
  const clock = createManualClock(new Date('2026-12-03T10:00:00Z'));
  const sim = createSimulator({ clock, write: () => {}, seedWorld: false });
  const seeded = seedEksCluster(sim.world);
  const newAmi = addImage(sim.world, 'domino-acme-eks-node-20261203-0900', clock.now().getTime(), {}, []).id;
  const yaml = `
deployments:
  - name: acme
    kind: eks-node-groups
    eks: { cluster: ${seeded.cluster}, nodePools: [compute, gpu]${options.eks ? `, ${options.eks}` : ''} }
${options.deployment ?? ''}`;
  const config = loadEksConfig(yaml, 'quay.io/domino/base:1');
  const chat = createRecordingChat();
  const deps: RolloutDeps = { ...simEksDeps(sim, config, clock, chat), ...options.deps?.(sim) };
  const { store } = deps;
  const nodegroup = (name: string) => sim.world.clusters.get(seeded.cluster)!.nodegroups.get(name)!;
  const versions = (name: string) => sim.world.launchTemplates.get(seeded.templateIds[name]!)!.versions;

  /**
   * Plans as plan-rollout does (snapshot every target, move the compute pool, the Terraform drift of the seed's
   * templates accepted by ADMIN) and approves.
   */
  async function approvedChange(moving: readonly string[] = COMPUTE, extra: Partial<ChangeRecord> = {}) {
    const port = targetsFor(deps, 'acme');
    const targets = await port.list();
    const updates = targets
      .filter((t) => moving.includes(t.id))
      .map((t) => ({ ...snapshotOf(t), from: t.ami, to: newAmi }));
    const notices = await port.notices(updates.map(targetUpdateOf));
    const now = clock.now();
    const change: ChangeRecord = {
      _id: 'chg-20261203-k3m9',
      kind: 'rollout',
      deployment: 'acme',
      requester: ADMIN,
      createdAt: now,
      deadline: new Date(now.getTime() + 3_600_000),
      targetAmi: newAmi,
      snapshot: targets.map(snapshotOf),
      updates,
      ...(notices.length > 0 ? { notices, noticesAcceptedBy: ADMIN } : {}),
      skipped: [],
      unchanged: [],
      channel: 'C0OPS00001',
      status: 'pending',
      ...extra,
    };
    expect(await store.changes.insert(change)).toBe(true);
    expect(await store.changes.decide(change._id, { outcome: 'approved', by: APPROVER, at: now })).toBe(true);
    return change;
  }

  /** Runs the work to its end, a virtual minute at a time while it waits on the clock. */
  async function drive<T>(work: Promise<T>, minutes = 120): Promise<T> {
    let finished = false;
    const done = work.finally(() => {
      finished = true;
    });
    for (let minute = 0; minute < minutes && !finished; minute++) await clock.advance(60_000);
    return done;
  }

  /** The new AMI as a succeeded bake of acme leaves it (the seed's node groups run an earlier bake's). */
  async function bakedNewAmi(): Promise<BakeRecord> {
    const now = clock.now();
    const bake: BakeRecord = {
      _id: 'bake-20261203-abcd',
      deployment: 'acme',
      requester: ADMIN,
      channel: 'C0OPS00001',
      images: ['quay.io/domino/base:1'],
      noReboot: false,
      status: 'succeeded',
      steps: newStepTable(),
      facts: { imageId: newAmi, imageName: 'domino-acme-eks-node-20261203-0900' },
      createdAt: now,
      updatedAt: now,
    };
    sim.world.images.get(newAmi)!.tags = bakeImageTags(bake);
    await store.bakes.insert(bake);
    return bake;
  }

  return { clock, sim, seeded, newAmi, deps, store, chat, nodegroup, versions, approvedChange, bakedNewAmi, drive };
}
