import type { Collection, Db } from 'mongodb';
import {
  type ApplyClaim,
  type ApplyResult,
  type ChangeDecision,
  type ChangeNotes,
  type ChangeRecord,
  deriveStatus,
  isDecisionAllowed,
  nextApplyAttempt,
  OPEN_STATUSES,
} from '../../rollout/change-record.js';
import type { ChangeRepo } from '../../rollout/change-repo.js';
import { insertOnce } from './lock-repo.js';

/**
 * A step of a change, stored under a fixed `_id` (`<change>:decision`, `<change>:apply:<n>`, `<change>:result`,
 * `<change>:reminder`). Inserting it is how a caller wins the step: a duplicate `_id` is refused atomically by
 * FerretDB and MongoDB alike, whereas FerretDB does not make a guarded update (even findOneAndUpdate) atomic
 * between concurrent clients.
 */
type StepDoc =
  | { _id: string; changeId: string; kind: 'decision'; decision: ChangeDecision }
  | { _id: string; changeId: string; kind: 'apply'; apply: ApplyClaim }
  | { _id: string; changeId: string; kind: 'result'; result: ApplyResult }
  | { _id: string; changeId: string; kind: 'reminder'; at: Date }
  | { _id: string; changeId: string; kind: 'note'; notes: ChangeNotes };

/** Folds the steps into the change; the steps are the truth, the `status` mirror only serves queries. */
export function mergeSteps(change: ChangeRecord, steps: StepDoc[]): ChangeRecord {
  const merged: ChangeRecord = { ...change };
  for (const step of steps) {
    if (step.kind === 'decision') merged.decision = step.decision;
    else if (step.kind === 'apply' && (!merged.apply || step.apply.attempt > merged.apply.attempt))
      merged.apply = step.apply;
    else if (step.kind === 'result') merged.result = step.result;
    else if (step.kind === 'reminder') merged.reminderSentAt = step.at;
    else if (step.kind === 'note') Object.assign(merged, step.notes);
  }
  merged.status = deriveStatus(merged);
  return merged;
}

export function createMongoChangeRepo(db: Db): ChangeRepo & { ensureIndexes(): Promise<void> } {
  // ignoreUndefined: optional fields stay absent instead of being stored as null.
  const changes: Collection<ChangeRecord> = db.collection<ChangeRecord>('changes', { ignoreUndefined: true });
  const steps: Collection<StepDoc> = db.collection<StepDoc>('change_steps', { ignoreUndefined: true });

  async function withSteps(docs: ChangeRecord[]): Promise<ChangeRecord[]> {
    if (docs.length === 0) return [];
    const all = await steps.find({ changeId: { $in: docs.map((doc) => doc._id) } }).toArray();
    return docs.map((doc) =>
      mergeSteps(
        doc,
        all.filter((step) => step.changeId === doc._id),
      ),
    );
  }

  /** Inserts the step; false when another caller already holds it. */
  const win = (step: StepDoc) => insertOnce(steps, step);

  const repo: ChangeRepo & { ensureIndexes(): Promise<void> } = {
    async ensureIndexes() {
      await changes.createIndex({ status: 1 });
      await changes.createIndex({ deployment: 1, createdAt: -1 });
      await steps.createIndex({ changeId: 1 });
    },
    insert: (change) => insertOnce(changes, change),
    async get(id) {
      const doc = await changes.findOne({ _id: id });
      return doc ? (await withSteps([doc]))[0] : undefined;
    },
    async listRecent(limit, deployment) {
      const docs = await changes
        .find(deployment ? { deployment } : {})
        .sort({ createdAt: -1 })
        .limit(limit)
        .toArray();
      return withSteps(docs);
    },
    async listOpen() {
      // The mirror lags the steps, never leads them: every open change is found, merged ones may be closed.
      const docs = await changes.find({ status: { $in: [...OPEN_STATUSES] } }).toArray();
      return (await withSteps(docs)).filter((change) => OPEN_STATUSES.includes(change.status));
    },
    async note(id, notes) {
      // A `$set` of only the noted fields on the change: MongoDB applies an update to one document atomically, so
      // a note and the status mirror written at the same moment both stay (the test peer's write gate makes
      // FerretDB do the same). Changes noted by an older release keep their `<change>:note:<field>` documents,
      // which mergeSteps still folds in.
      const set = Object.fromEntries(Object.entries(notes).filter(([, value]) => value !== undefined));
      if (Object.keys(set).length > 0) await changes.updateOne({ _id: id }, { $set: set });
    },
    async decide(id, decision) {
      const change = await repo.get(id);
      if (!change || !isDecisionAllowed(change, decision)) return false;
      if (!(await win({ _id: `${id}:decision`, changeId: id, kind: 'decision', decision }))) return false;
      await changes.updateOne({ _id: id }, { $set: { status: decision.outcome, decision } });
      return true;
    },
    async claimApply(id, owner, at, staleBefore) {
      const change = await repo.get(id);
      const attempt = change && nextApplyAttempt(change, staleBefore);
      if (attempt === undefined) return false;
      const apply: ApplyClaim = { owner, at, attempt };
      if (!(await win({ _id: `${id}:apply:${attempt}`, changeId: id, kind: 'apply', apply }))) return false;
      await changes.updateOne({ _id: id }, { $set: { status: 'applying', apply } });
      return true;
    },
    async finishApply(id, result) {
      if (!(await win({ _id: `${id}:result`, changeId: id, kind: 'result', result }))) return false;
      await changes.updateOne({ _id: id }, { $set: { status: result.status, result } });
      return true;
    },
    async claimReminder(id, at) {
      if (!(await win({ _id: `${id}:reminder`, changeId: id, kind: 'reminder', at }))) return false;
      await changes.updateOne({ _id: id }, { $set: { reminderSentAt: at } });
      return true;
    },
  };
  return repo;
}
