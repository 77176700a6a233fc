/**
 * What every in-memory repo does the way its MongoDB twin does: copies in and out (callers never share objects
 * with the store), insert-once by `_id`, and newest-first listings of one deployment.
 */
export const copy = <T>(value: T): T => structuredClone(value);

/** Stores a copy unless the `_id` is taken; false then, as MongoDB's duplicate key, and nothing is written. */
export function insertOnce<T extends { _id: string }>(records: Map<string, T>, record: T): boolean {
  if (records.has(record._id)) return false;
  records.set(record._id, copy(record));
  return true;
}

/** The records of `deployment` (all when undefined), newest `createdAt` first; the stored objects, not copies. */
export function recentOf<T extends { createdAt: Date; deployment: string }>(
  records: Map<string, T>,
  deployment: string | undefined,
): T[] {
  return [...records.values()]
    .filter((record) => deployment === undefined || record.deployment === deployment)
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

/** The record with that `_id` read out (`copy`, or a read that derives more), or undefined. */
export function readOne<T, R>(records: Map<string, T>, id: string, read: (record: T) => R): R | undefined {
  const record = records.get(id);
  return record ? read(record) : undefined;
}
