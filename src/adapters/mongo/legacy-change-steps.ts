import type { Collection, Db, Filter, UpdateFilter } from 'mongodb';
import {
  type ApplyClaim,
  type ApplyResult,
  type ChangeDecision,
  type ChangeNotes,
  type ChangeRecord,
  deriveStatus,
} from '../../rollout/change-record.js';

/**
 * What releases before the MongoDB-native change repository wrote: each step of a change as its own insert-once
 * document in `change_steps` (`<change>:decision`, `<change>:apply:<n>`, `<change>:result`, `<change>:reminder`,
 * `<change>:note:<field>`), the change document carrying only a mirror written after the step. This release
 * writes none; it folds those documents into their changes once, at start-up.
 */
export const LEGACY_CHANGE_STEPS = 'change_steps';

export type LegacyStepDoc =
  | { _id: string; changeId: string; kind: 'decision'; decision: ChangeDecision }
  | { _id: string; changeId: string; kind: 'apply'; apply: ApplyClaim }
  | { _id: string; changeId: string; kind: 'result'; result: ApplyResult }
  | { _id: string; changeId: string; kind: 'reminder'; at: Date }
  | { _id: string; changeId: string; kind: 'note'; notes: ChangeNotes };

/** The change as its steps say, as the previous release read it: the steps are the truth, the document a mirror. */
export function mergeSteps(change: ChangeRecord, steps: LegacyStepDoc[]): ChangeRecord {
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

type Fold = { filter: Filter<ChangeRecord>; update: UpdateFilter<ChangeRecord> };

/**
 * The guarded updates that bring a change document up to its legacy steps, one per fact the document lacks
 * (pure). Each guard says "the document has no such fact yet" (or an older apply attempt), so a fold never
 * overwrites what this release, or another replica's fold, already wrote: running it twice, or on two replicas
 * at once, changes nothing more. Each carries the status mirror of the document as it stands after that fold
 * (decision, then apply, then result), so a fold interrupted half-way leaves the mirror lagging, never leading.
 */
export function legacyFolds(change: ChangeRecord, steps: LegacyStepDoc[]): Fold[] {
  const merged = mergeSteps(change, steps);
  const id = change._id;
  const folds: Fold[] = [];
  if (merged.decision && !change.decision) {
    folds.push({ filter: { _id: id, decision: { $exists: false } }, update: { $set: { decision: merged.decision } } });
  }
  if (merged.apply && (!change.apply || merged.apply.attempt > change.apply.attempt)) {
    folds.push({
      filter: { _id: id, $or: [{ apply: { $exists: false } }, { 'apply.attempt': { $lt: merged.apply.attempt } }] },
      update: { $set: { apply: merged.apply } },
    });
  }
  if (merged.result && !change.result) {
    folds.push({ filter: { _id: id, result: { $exists: false } }, update: { $set: { result: merged.result } } });
  }
  if (merged.reminderSentAt && !change.reminderSentAt) {
    folds.push({
      filter: { _id: id, reminderSentAt: { $exists: false } },
      update: { $set: { reminderSentAt: merged.reminderSentAt } },
    });
  }
  for (const field of ['message', 'threadTs', 'announcement'] as const) {
    const value = merged[field];
    if (value !== undefined && change[field] === undefined) {
      folds.push({ filter: { _id: id, [field]: { $exists: false } }, update: { $set: { [field]: value } } });
    }
  }
  const after: ChangeRecord = { ...change };
  for (const fold of folds) {
    const set = fold.update.$set as Record<string, unknown>;
    Object.assign(after, set);
    set.status = deriveStatus(after);
  }
  return folds;
}

/**
 * The start-up migration: every change with legacy step documents gets their facts on itself (guarded, see
 * legacyFolds), then its step documents are removed. Idempotent; a step a previous-release replica writes
 * during a rolling update is folded at the next start (that replica also mirrors it onto the change at once).
 */
export async function foldLegacyChangeSteps(db: Db, changes: Collection<ChangeRecord>): Promise<number> {
  const steps = db.collection<LegacyStepDoc>(LEGACY_CHANGE_STEPS);
  const all = await steps.find({}).toArray();
  if (all.length === 0) return 0;
  const byChange = new Map<string, LegacyStepDoc[]>();
  for (const step of all) byChange.set(step.changeId, [...(byChange.get(step.changeId) ?? []), step]);
  let folded = 0;
  for (const [changeId, ofChange] of byChange) {
    const change = await changes.findOne({ _id: changeId });
    if (change) {
      for (const fold of legacyFolds(change, ofChange)) await changes.updateOne(fold.filter, fold.update);
      folded++;
    }
    await steps.deleteMany({ _id: { $in: ofChange.map((step) => step._id) } });
  }
  return folded;
}
