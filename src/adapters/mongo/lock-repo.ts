import type { Collection, Db, Document, OptionalUnlessRequiredId } from 'mongodb';
import type { LockRepo } from '../../shared/lock-repo.js';

interface LockDoc {
  _id: string;
  holder: string;
  at: Date;
}

/**
 * Named locks (e.g. one bake per deployment). The lock document's `_id` is the key, so the
 * server's own `_id` uniqueness decides a race: no unique secondary index is needed (FerretDB
 * reports those violations differently from MongoDB).
 */
export function createMongoLockRepo(db: Db): LockRepo {
  const locks = db.collection<LockDoc>('locks');
  return {
    async acquire(key, holder, at) {
      try {
        await locks.insertOne({ _id: key, holder, at });
        return undefined;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const current = await locks.findOne({ _id: key });
      if (!current) return this.acquire(key, holder, at);
      return current.holder === holder ? undefined : current.holder;
    },
    async release(key, holder) {
      await locks.deleteOne({ _id: key, holder });
    },
    async holderOf(key) {
      return (await locks.findOne({ _id: key }))?.holder;
    },
    async describe(key) {
      const doc = await locks.findOne({ _id: key });
      return doc ? { holder: doc.holder, at: doc.at } : undefined;
    },
  };
}

export function isDuplicateKey(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return e?.code === 11000 || (typeof e?.message === 'string' && /duplicate key/i.test(e.message));
}

/** Insert once: true when stored, false when a document with this `_id` exists; any other error is thrown. */
export async function insertOnce<T extends Document>(
  collection: Collection<T>,
  doc: OptionalUnlessRequiredId<T>,
): Promise<boolean> {
  try {
    await collection.insertOne(doc);
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}
