import type { Collection, Db } from 'mongodb';
import type { BakeRecord, BakeStatus } from '../../bake/bake-record.js';
import type { BakeRepo } from '../../ports.js';

const ACTIVE: BakeStatus[] = ['running', 'compensating'];
/** A lease that is absent or over: the bake is free for any runner. */
const leaseFree = (now: Date) => [{ lease: { $exists: false } }, { 'lease.until': { $lt: now } }];

/** Bakes in the bot's own database; every write made by a runner is guarded by its lease. */
export function createMongoBakeRepo(db: Db): BakeRepo & { ensureIndexes(): Promise<void> } {
  const bakes: Collection<BakeRecord> = db.collection<BakeRecord>('bakes');
  const orNull = (doc: BakeRecord | null) => doc ?? undefined;

  return {
    async ensureIndexes() {
      await bakes.createIndex({ status: 1, 'lease.until': 1 });
      await bakes.createIndex({ deployment: 1, createdAt: -1 });
    },
    async insert(bake) {
      await bakes.insertOne(bake);
    },
    async get(id) {
      return orNull(await bakes.findOne({ _id: id }));
    },
    async listRecent(limit, deployment) {
      const filter = deployment ? { deployment } : {};
      return bakes.find(filter).sort({ createdAt: -1 }).limit(limit).toArray();
    },
    async listClaimable(now) {
      const docs = await bakes
        .find(
          { status: { $in: ACTIVE }, $or: leaseFree(now) },
          { projection: { _id: 1 } },
        )
        .toArray();
      return docs.map((doc) => doc._id);
    },
    async claim(id, owner, now, until) {
      const doc = await bakes.findOneAndUpdate(
        {
          _id: id,
          status: { $in: ACTIVE },
          $or: [...leaseFree(now), { 'lease.owner': owner }],
        },
        { $set: { lease: { owner, until }, updatedAt: now } },
        { returnDocument: 'after' },
      );
      return orNull(doc);
    },
    async renew(id, owner, until) {
      const result = await bakes.updateOne({ _id: id, 'lease.owner': owner }, { $set: { 'lease.until': until } });
      return result.matchedCount === 1;
    },
    async save(id, owner, patch) {
      const result = await bakes.updateOne({ _id: id, 'lease.owner': owner }, { $set: patch });
      return result.matchedCount === 1;
    },
    async release(id, owner) {
      await bakes.updateOne({ _id: id, 'lease.owner': owner }, { $unset: { lease: '' } });
    },
    async requestCancel(id, by, at) {
      await bakes.updateOne(
        { _id: id, status: { $in: ACTIVE }, cancelRequested: { $exists: false } },
        { $set: { cancelRequested: { by, at } } },
      );
      return orNull(await bakes.findOne({ _id: id }));
    },
  };
}
