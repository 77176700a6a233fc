import type { ContainerRuntime } from '../config.js';
import type { ImageState, InstanceState } from '../ports/ec2.js';
import type { CommandStatus } from '../ports/ssm.js';
import type { CachedImage } from './disk-cache.js';
import { createDockerRegistry, type DockerRegistry } from './docker-registry.js';
import { createEventQueue } from './event-queue.js';
import { createIds, createRandom, type SimIds, type SimRandom } from './random.js';
import type { SimCluster, SimLaunchTemplate } from './sim-eks-state.js';
import type { SimFilesystem } from './sim-fs.js';
import { DEFAULT_TIMINGS, type Range, type SimTimings } from './timings.js';

export type { CachedImage } from './disk-cache.js';
export { type SeedDemoOptions, seedDemoWorld } from './seed-demo-world.js';
export type * from './sim-eks-state.js';

/**
 * The simulated outside world: one AWS account (instances, AMIs, snapshots, SSM commands, EKS node groups and
 * their launch templates), Domino's tier
 * documents, jobs and users, and a Slack directory. Plain data that tests and the demo may read and edit;
 * time-based changes sit on an event queue and happen when a port next looks (`settle`), never on a timer.
 */
/** An environment's runs in the usage window; `tiers` (runs and distinct users per tier) when seeded. */
export interface SimEnvironmentUsage {
  environment: string;
  image?: string;
  runs: number;
  /** Distinct users across the tiers (a user may run on several). */
  users?: number;
  tiers?: Array<{ tier: string; runs: number; users: number }>;
}

export interface SimInstance {
  id: string;
  tags: Record<string, string>;
  state: InstanceState;
  imageId: string;
  blockDeviceNames: string[];
  /** Size of the root volume (the first device); SIM_VOLUME_GIB when unset. */
  rootVolumeGiB?: number;
  launchTimeMs: number;
  /** Docker images on the instance's disk, by normalised `repository:tag`. */
  dockerImages: Map<string, CachedImage>;
  /** The container runtimes installed with their daemon running (absent: docker only, an executor template). */
  runtimes?: readonly ContainerRuntime[];
  /** containerd's images in the k8s.io namespace (nerdctl and ctr share it), by canonical reference. */
  containerdImages?: Map<string, CachedImage>;
  /** Files scripts wrote (salt's log); kept across commands like a real disk. */
  fs: SimFilesystem;
  agentOnline: boolean;
  /** Set while CreateImage reboots the instance: still `running`, but its SSM agent is away. */
  rebootingUntilMs?: number;
  /** Bumped by every lifecycle change so the events of an abandoned transition do nothing. */
  generation: number;
  activeJobs: number;
  lastJobEndMs?: number;
  /** Domino executors: when the node joined the cluster and can take runs (EC2 `running` is not enough). */
  dominoReadyAtMs?: number;
}

export interface SimImage {
  id: string;
  name: string;
  description: string;
  state: ImageState;
  stateReason?: string;
  creationMs: number;
  tags: Record<string, string>;
  snapshotIds: string[];
  blockDeviceNames: string[];
  /** The docker image cache captured from the instance when CreateImage was called. */
  dockerImages: Map<string, CachedImage>;
  /** containerd's images, captured likewise (EKS node templates). */
  containerdImages?: Map<string, CachedImage>;
  /** Its files, also captured: an executor booted from the AMI has them. */
  fs: SimFilesystem;
  sourceInstanceId?: string;
  /** Another AWS account's image (public or shared): visible by id, not owned. Absent = this account's. */
  ownerId?: string;
  /** EnableImageDeregistrationProtection (`cooldown`: WithCooldown); absent = off. */
  protection?: { cooldown: boolean };
  /** After protection with a cooldown was disabled: deregistration is refused until then. */
  protectedUntilMs?: number;
  deprecationMs?: number;
}

export interface SimSnapshot {
  id: string;
  imageId: string;
  state: 'pending' | 'completed' | 'error';
  startMs: number;
  completeMs: number;
  tags: Record<string, string>;
  /** Size of the volume it was taken from. */
  sizeGiB: number;
}

export interface SimCommand {
  id: string;
  instanceId: string;
  comment: string;
  commands: string[];
  executionTimeoutSeconds: number;
  sentMs: number;
  status: CommandStatus;
  startMs?: number;
  endMs?: number;
  exitCode?: number;
  /** Complete output; the SSM port truncates it the way GetCommandInvocation does. */
  stdout: string;
  stderr: string;
}

/** An `executor_group_configuration` document; only `_id` and `executorImage` are assumed, like the bot does. */
export interface SimTier {
  idType: 'objectId' | 'string';
  doc: { _id: string; executorImage: string; [field: string]: unknown };
}

/** A Domino 4+ hardware tier (the hardware tier API's view): its runs go to the nodes of its node pool. */
export interface SimHardwareTier {
  id: string;
  name: string;
  nodePool: string;
}

export interface SimEnvironment {
  id: string;
  name: string;
  image: string;
}

export interface SimProject {
  id: string;
  owner: string;
  name: string;
  defaultEnvironmentId: string;
}

export interface SimJob {
  id: string;
  projectId: string;
  tierId: string;
  environmentId: string;
  image: string;
  title: string;
  command: string;
  status: string;
  isCompleted: boolean;
  /** Every status with the virtual time it was entered: what the bot's timing must reproduce. */
  history: Array<{ status: string; atMs: number }>;
  executorId?: string;
  /** Set when the job's executor was booted for it (new instance from the tier's AMI). */
  launchedExecutor?: boolean;
  stopRequested: boolean;
  /** Who started it (the hardware tier API's runs name them); the project's owner when unset. */
  startedBy?: string;
}

export interface SlackDirectory {
  users: Record<string, { name: string; email: string }>;
  groups: Record<string, string[]>;
  channels: Record<string, string>;
}

/** Every simulated EBS volume's size: what a snapshot of it counts for in the inventory's cost estimate. */
export const SIM_VOLUME_GIB = 50;

/** The size of an instance's root volume (the first device): its own, or every simulated volume's. */
export const rootVolumeGiBOf = (instance: Pick<SimInstance, 'rootVolumeGiB'>): number =>
  instance.rootVolumeGiB ?? SIM_VOLUME_GIB;

/**
 * One snapshot of each of the image's block devices, as CreateImage makes them, in the world and on the image.
 * `tags()` gives each snapshot its tags: a fresh object, or the image's own to share.
 */
export function addImageSnapshots(
  world: SimWorld,
  image: SimImage,
  snapshot: Pick<SimSnapshot, 'state' | 'startMs' | 'completeMs'> & { tags: () => Record<string, string> },
): void {
  for (const _device of image.blockDeviceNames) {
    const id = world.ids.snapshot();
    image.snapshotIds.push(id);
    world.snapshots.set(id, {
      id,
      imageId: image.id,
      state: snapshot.state,
      startMs: snapshot.startMs,
      completeMs: snapshot.completeMs,
      tags: snapshot.tags(),
      sizeGiB: SIM_VOLUME_GIB,
    });
  }
}

/** The simulated account's id: what EC2 reports as the owner of the images it made. */
export const SIM_ACCOUNT_ID = '123456789012';

export interface SimWorld {
  deployment: string;
  region: string;
  timings: SimTimings;
  random: SimRandom;
  ids: SimIds;
  registry: DockerRegistry;
  instances: Map<string, SimInstance>;
  images: Map<string, SimImage>;
  snapshots: Map<string, SimSnapshot>;
  commands: SimCommand[];
  tiers: SimTier[];
  /** Domino 4+ hardware tiers with their node pools (an EKS cluster's, seeded by seedEksCluster). */
  hardwareTiers: SimHardwareTier[];
  /** Tier id → emails of the users who ran on it recently. */
  tierUsers: Map<string, string[]>;
  environments: Map<string, SimEnvironment>;
  projects: Map<string, SimProject>;
  jobs: Map<string, SimJob>;
  environmentUsage: SimEnvironmentUsage[];
  /** References whose first pull already failed under the `pull-flaky` fault. */
  flakyPulled: Set<string>;
  /** EC2/SSM calls the `aws-throttle` fault delayed, and the virtual time they lost (the demo reports it). */
  throttled: { calls: number; ms: number };
  slack: SlackDirectory;
  /** EKS clusters by name (Domino 4+: node pools as managed node groups), and the launch templates they use by id. */
  clusters: Map<string, SimCluster>;
  launchTemplates: Map<string, SimLaunchTemplate>;
  schedule(atMs: number, action: (atMs: number) => void): void;
  /** Applies every state change due by `nowMs`; every port calls it before reading or writing. */
  settle(nowMs: number): void;
  /** A duration drawn from a range with the world's seeded random. */
  draw(range: Range): number;
}

export interface SimWorldOptions {
  deployment?: string;
  region?: string;
  /** Seed of every random duration and id (default 1): the same seed replays the same run. */
  seed?: number;
  timings?: Partial<SimTimings>;
}

export function createSimWorld(options: SimWorldOptions = {}): SimWorld {
  const random = createRandom(options.seed ?? 1);
  const events = createEventQueue();
  let settledMs = Number.NEGATIVE_INFINITY;
  return {
    deployment: options.deployment ?? 'acme',
    region: options.region ?? 'us-west-2',
    timings: { ...DEFAULT_TIMINGS, ...options.timings },
    random,
    ids: createIds(random),
    registry: createDockerRegistry(),
    instances: new Map(),
    images: new Map(),
    snapshots: new Map(),
    commands: [],
    tiers: [],
    hardwareTiers: [],
    tierUsers: new Map(),
    environments: new Map(),
    projects: new Map(),
    jobs: new Map(),
    environmentUsage: [],
    flakyPulled: new Set(),
    throttled: { calls: 0, ms: 0 },
    slack: { users: {}, groups: {}, channels: {} },
    clusters: new Map(),
    launchTemplates: new Map(),
    schedule: events.schedule,
    settle(nowMs) {
      settledMs = Math.max(settledMs, nowMs);
      events.settle(settledMs);
    },
    draw: (range) => random.between(range.min, range.max),
  };
}
