/**
 * Default virtual durations, in milliseconds, drawn uniformly from [min, max] by the world's seeded random.
 * They follow what AWS and Domino take in practice so the demo shows the real shape of a bake; tests may
 * override any of them through createSimWorld({ timings }).
 */
export interface Range {
  min: number;
  max: number;
}

export interface SimTimings {
  instanceStart: Range;
  instanceStop: Range;
  instanceTerminate: Range;
  /** Running → SSM agent registered as Online. */
  agentRegister: Range;
  /** CreateImage without NoReboot: the instance shuts down and boots again (agent offline meanwhile). */
  createImageReboot: Range;
  /** Snapshot time of a bare executor volume; cached docker bytes add `snapshotPerGiB`. */
  snapshotBase: Range;
  snapshotPerGiB: number;
  /** Pending → InProgress of an SSM command. */
  ssmDelivery: Range;
  /** Fixed part of a `docker pull` on the template; missing bytes add `pullBytesPerSecond`. */
  pullBase: Range;
  pullBytesPerSecond: number;
  /** `docker pull` of an image already cached. */
  pullUpToDate: Range;
  dockerImages: Range;
  highstate: Range;
  /** Domino: a job placed on an already running executor of its tier. */
  jobSchedule: Range;
  /** Domino: Queued while a new executor boots and joins the cluster. */
  executorLaunch: Range;
  /** Domino: Queued while a stopped executor of the tier is started again. */
  executorRestart: Range;
  /** Domino Pulling when the image is cached on the executor. */
  jobPullCached: Range;
  /** Domino Pulling when it is not: a fixed part plus missing bytes at `jobPullBytesPerSecond`. */
  jobPullBase: Range;
  jobPullBytesPerSecond: number;
  jobPreparing: Range;
  jobRunning: Range;
  jobStopping: Range;
  /** Domino's executorStopTimeout: an idle executor is stopped after this. */
  executorIdleStop: number;
  /** EKS UpdateNodegroupVersion: InProgress before the first replacement node is launched. */
  nodegroupUpdateStart: Range;
  /** A new node running → joined the cluster and Ready, so an old node may be drained. */
  nodeJoin: Range;
  /** Cordon and evict the pods of one old node before EKS terminates it. */
  nodeDrain: Range;
}

const s = 1000;
const min = 60 * s;
const MB = 1024 * 1024;

export const DEFAULT_TIMINGS: SimTimings = {
  instanceStart: { min: 30 * s, max: 60 * s },
  instanceStop: { min: 25 * s, max: 40 * s },
  instanceTerminate: { min: 15 * s, max: 30 * s },
  agentRegister: { min: 10 * s, max: 25 * s },
  createImageReboot: { min: 50 * s, max: 75 * s },
  snapshotBase: { min: 6 * min, max: 8 * min },
  snapshotPerGiB: 40 * s,
  ssmDelivery: { min: 1 * s, max: 2 * s },
  pullBase: { min: 4 * s, max: 8 * s },
  pullBytesPerSecond: 35 * MB,
  pullUpToDate: { min: 1 * s, max: 3 * s },
  dockerImages: { min: 200, max: 600 },
  highstate: { min: 3 * min, max: 6 * min },
  jobSchedule: { min: 5 * s, max: 15 * s },
  executorLaunch: { min: 2 * min, max: 4 * min },
  executorRestart: { min: 90 * s, max: 150 * s },
  jobPullCached: { min: 0, max: 2 * s },
  jobPullBase: { min: 90 * s, max: 110 * s },
  jobPullBytesPerSecond: 20 * MB,
  jobPreparing: { min: 10 * s, max: 20 * s },
  jobRunning: { min: 20 * s, max: 40 * s },
  jobStopping: { min: 5 * s, max: 10 * s },
  executorIdleStop: 120 * min,
  nodegroupUpdateStart: { min: 30 * s, max: 90 * s },
  nodeJoin: { min: 40 * s, max: 80 * s },
  nodeDrain: { min: 1 * min, max: 3 * min },
};
