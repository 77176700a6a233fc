import type { ApplyResult, ChangeDecision, ChangeNotes, ChangeRecord } from './change-record.js';

/** Rollout changes. Every "first one wins" step is one guarded update of the change: the rules beside the record
 * (isDecisionAllowed, nextApplyAttempt) judge the change as read, and the store makes the winner atomic. */
export interface ChangeRepo {
  /** True when stored; false when a change with this `_id` exists (insert once, as every repository here). */
  insert(change: ChangeRecord): Promise<boolean>;
  /** The change with its decision, apply claim and result merged in (status derived from them). */
  get(id: string): Promise<ChangeRecord | undefined>;
  listRecent(limit: number, deployment?: string): Promise<ChangeRecord[]>;
  /** Changes still pending, approved or applying. */
  listOpen(): Promise<ChangeRecord[]>;
  /** Facts only the change's own flow writes (message refs, announcement summary). */
  note(id: string, notes: ChangeNotes): Promise<void>;
  /**
   * The first decision wins: true for the winner. An approval or rejection at or after the deadline, or on a
   * change already decided, changes nothing and returns false; an expiry is accepted only once the deadline passed.
   */
  decide(id: string, decision: ChangeDecision): Promise<boolean>;
  /**
   * Starts applying an approved change (true for exactly one caller), or takes over an apply whose latest
   * attempt started before `staleBefore` (a crashed process). False when applied, not approved, or in progress.
   */
  claimApply(id: string, owner: string, at: Date, staleBefore: Date): Promise<boolean>;
  /** Records the outcome of the apply; the first result wins. */
  finishApply(id: string, result: ApplyResult): Promise<boolean>;
  /** True for the one caller that sends the maintenance-window reminder. */
  claimReminder(id: string, at: Date): Promise<boolean>;
}
