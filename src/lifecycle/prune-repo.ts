import type { ChangeDecision } from '../rollout/change-record.js';
import type { PruneOutcome, PruneRecord, PruneResult } from './prune-record.js';

/** Prune records. Guarded writes are atomic on the record itself (MongoDB findOneAndUpdate). */
export interface PruneRepo {
  /** True when stored; false when a prune with this `_id` exists. */
  insert(record: PruneRecord): Promise<boolean>;
  get(id: string): Promise<PruneRecord | undefined>;
  listRecent(limit: number, deployment?: string): Promise<PruneRecord[]>;
  /** The first decision wins (isDecisionAllowed): true for the winner. */
  decide(id: string, decision: ChangeDecision): Promise<boolean>;
  /** Checkpoints one item's outcome (a `$set` of that item only), before the apply moves on. */
  recordOutcome(id: string, key: string, outcome: PruneOutcome): Promise<void>;
  /** Where the approval message is (written once, by the flow that posted it). */
  noteMessage(id: string, message: { channel: string; ts: string }): Promise<void>;
  /** The first result wins. */
  finish(id: string, result: PruneResult): Promise<boolean>;
}
