import type { Collection, Db, Filter } from 'mongodb';
import {
  type ApplyClaim,
  type ChangeRecord,
  deriveStatus,
  isDecisionAllowed,
  nextApplyAttempt,
  OPEN_STATUSES,
} from '../../rollout/change-record.js';
import type { ChangeRepo } from '../../rollout/change-repo.js';
import { foldLegacyChangeSteps } from './legacy-change-steps.js';
import { insertOnce } from './lock-repo.js';

/** The change as stored, its status derived from its facts (the stored `status` only serves queries). */
const read = (change: ChangeRecord): ChangeRecord => ({ ...change, status: deriveStatus(change) });

/**
 * Rollout changes, one document each. Every "first one wins" write is one guarded update of that document: the
 * pure rule beside the record (isDecisionAllowed, nextApplyAttempt) says whether the change as read allows it,
 * and the filter repeats the part another caller could have changed since ("no decision yet", "the attempt I
 * read is still the latest"), so MongoDB's single-document atomicity picks exactly one winner. The status
 * mirror is set in the same update as the fact it mirrors.
 */
export function createMongoChangeRepo(db: Db): ChangeRepo & { ensureIndexes(): Promise<void> } {
  // ignoreUndefined: optional fields stay absent instead of being stored as null.
  const changes: Collection<ChangeRecord> = db.collection<ChangeRecord>('changes', { ignoreUndefined: true });

  /** True when the guarded update found its document (the guard held) and applied `set`. */
  const guarded = async (filter: Filter<ChangeRecord>, set: Partial<ChangeRecord>) =>
    (await changes.findOneAndUpdate(filter, { $set: set })) !== null;

  const repo: ChangeRepo & { ensureIndexes(): Promise<void> } = {
    async ensureIndexes() {
      await changes.createIndex({ status: 1 });
      await changes.createIndex({ deployment: 1, createdAt: -1 });
      // Before the first request: changes the previous release left with step documents read whole.
      await foldLegacyChangeSteps(db, changes);
    },
    insert: (change) => insertOnce(changes, change),
    async get(id) {
      const doc = await changes.findOne({ _id: id });
      return doc ? read(doc) : undefined;
    },
    async listRecent(limit, deployment) {
      const docs = await changes
        .find(deployment ? { deployment } : {})
        .sort({ createdAt: -1 })
        .limit(limit)
        .toArray();
      return docs.map(read);
    },
    async listOpen() {
      // The mirror lags the facts, never leads them: every open change is found, a lagging one filtered out.
      const docs = await changes.find({ status: { $in: [...OPEN_STATUSES] } }).toArray();
      return docs.map(read).filter((change) => OPEN_STATUSES.includes(change.status));
    },
    async note(id, notes) {
      // A `$set` of only the noted fields: MongoDB applies an update to one document atomically, so a note and a
      // decision written at the same moment both stay (the test peer's write gate makes FerretDB do the same).
      const set = Object.fromEntries(Object.entries(notes).filter(([, value]) => value !== undefined));
      if (Object.keys(set).length > 0) await changes.updateOne({ _id: id }, { $set: set });
    },
    async decide(id, decision) {
      const change = await repo.get(id);
      if (!change || !isDecisionAllowed(change, decision)) return false;
      // The deadline is fixed at planning; what can change meanwhile is the first clause: nobody decided yet.
      return guarded(
        { _id: id, decision: { $exists: false } },
        { decision, status: deriveStatus({ ...change, decision }) },
      );
    },
    async claimApply(id, owner, at, staleBefore) {
      const change = await repo.get(id);
      const attempt = change && nextApplyAttempt(change, staleBefore);
      if (change === undefined || attempt === undefined) return false;
      const apply: ApplyClaim = { owner, at, attempt };
      // Still no result, and the latest attempt is still the one the rule judged (none, or the stale one).
      const latest = attempt === 1 ? { apply: { $exists: false } } : { 'apply.attempt': attempt - 1 };
      return guarded({ _id: id, result: { $exists: false }, ...latest }, { apply, status: 'applying' });
    },
    async finishApply(id, result) {
      return guarded({ _id: id, result: { $exists: false } }, { result, status: result.status });
    },
    async claimReminder(id, at) {
      return guarded({ _id: id, reminderSentAt: { $exists: false } }, { reminderSentAt: at });
    },
  };
  return repo;
}
