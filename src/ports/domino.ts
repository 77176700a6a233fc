/** Domino ports: hardware tiers in Domino's MongoDB, who uses them, and the Domino REST API for test jobs. */

export interface TierRecord {
  /** `_id` as text; `idType` says how to turn it back into the stored `_id`. */
  id: string;
  idType: 'objectId' | 'string';
  /** Human label (configurable field, falls back to the id). */
  label: string;
  executorImage: string;
}

/**
 * The one way to match tiers: `_id` text alone is not unique (an ObjectId and a string `_id` can share the same
 * hex), so every map, set or comparison of tiers goes through this key.
 */
export function tierKey(tier: Pick<TierRecord, 'id' | 'idType'>): string {
  return `${tier.idType}:${tier.id}`;
}

export interface TierImageUpdate {
  id: string;
  idType: 'objectId' | 'string';
  from: string;
  to: string;
}

export interface ApplyTierUpdatesResult {
  /** tierKey of each tier updated (its executorImage was still `from`). */
  applied: string[];
  /** tierKey of each tier whose executorImage was no longer `from`: left alone. */
  conflicts: string[];
}

export interface DominoTiersPort {
  listTiers(): Promise<TierRecord[]>;
  /** Every update guarded by its `from` value, all in one bulk write. */
  applyImageUpdates(updates: TierImageUpdate[]): Promise<ApplyTierUpdatesResult>;
}

/** Who uses which hardware tier (for notifications and the review report). */
export interface TierUsersPort {
  /** Map tier id → user emails seen on that tier within the look-back window. */
  usersByTier(tierIds: string[]): Promise<Map<string, string[]>>;
  /** Map environment id/name → runs seen within the look-back window (review report). */
  environmentsInUse?(): Promise<Array<{ environment: string; image?: string; runs: number }>>;
  /** Runs of the last `windowDays` per image reference and hardware tier (image selection); needs `imageField`. */
  imageUsage?(windowDays: number): Promise<ImageUsage[]>;
}

/** How much one image was used: runs and distinct users, in all and per hardware tier (or node pool). */
export interface ImageUsage {
  image: string;
  runs: number;
  users: number;
  tiers: Array<{ tier: string; runs: number; users: number }>;
}

// Domino REST API

export interface StartJobInput {
  projectId: string;
  command: string;
  hardwareTierId: string;
  environmentId?: string;
  title: string;
}

export interface JobStatus {
  /** Domino's executionStatus: Queued, Pending, Preparing, Pulling, Running, Succeeded, Failed, … */
  executionStatus: string;
  isCompleted: boolean;
}

/** A Domino 4+ hardware tier as the API lists it: its runs are scheduled on the nodes of its node pool. */
export interface HardwareTierInfo {
  id: string;
  name: string;
  /** The `dominodatalab.com/node-pool` value of the nodes it runs on (absent: not said). */
  nodePool?: string;
}

/** A run (job, workspace, app) that has not completed: on Kubernetes its pod holds a node of its tier's pool. */
export interface ActiveRun {
  id: string;
  /** `owner/project` (outside text). */
  project: string;
  /** Who started it (outside text). */
  user: string;
  hardwareTierId: string;
  status: string;
}

export interface DominoApiPort {
  startJob(input: StartJobInput): Promise<string>;
  getJobStatus(jobId: string): Promise<JobStatus>;
  stopJob(jobId: string): Promise<void>;
  /** Every hardware tier with its node pool (Domino 4+). */
  listHardwareTiers(): Promise<HardwareTierInfo[]>;
  /** The runs not yet completed on these hardware tiers ([] for none). */
  listActiveRuns(hardwareTierIds: readonly string[]): Promise<ActiveRun[]>;
}
