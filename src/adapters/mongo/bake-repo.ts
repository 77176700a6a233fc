import type { Collection, Db } from 'mongodb';
import {
  type BakeCheckpoint,
  type BakeRecord,
  type BakeStatus,
  isBakeCancelAllowed,
  isClaimableBy,
  isCommandKey,
} from '../../bake/bake-record.js';
import type { BakeRepo } from '../../bake/bake-repo.js';
import { foldLegacyBakeCancels } from './legacy-cancels.js';

const ACTIVE: BakeStatus[] = ['running', 'compensating'];

/** What older releases also stored on a bake: the epoch of its claim documents. */
type StoredBake = BakeRecord & { leaseEpoch?: number };

/**
 * Bakes in the bot's own database, one document each.
 *
 * The runner holding a bake's lease writes its progress (`checkpoint`: a `$set` of its own fields, while the lease
 * is its own). Claiming the lease and requesting a cancel are guarded updates of the same document: the rule
 * beside the record (`isClaimableBy`, `isBakeCancelAllowed`) judges the bake as read, and the filter repeats it, so
 * MongoDB's single-document atomicity picks exactly one winner, and a cancel and a checkpoint landing at once
 * both stay (different fields of one document).
 */
export function createMongoBakeRepo(db: Db): BakeRepo & { ensureIndexes(): Promise<void> } {
  const bakes: Collection<StoredBake> = db.collection<StoredBake>('bakes');
  const strip = ({ leaseEpoch: _epoch, ...bake }: StoredBake): BakeRecord => bake;

  async function getOne(id: string): Promise<BakeRecord | undefined> {
    const doc = await bakes.findOne({ _id: id });
    return doc ? strip(doc) : undefined;
  }

  return {
    async ensureIndexes() {
      await bakes.createIndex({ status: 1, 'lease.until': 1 });
      await bakes.createIndex({ deployment: 1, createdAt: -1 });
      // Before the first request: cancels the previous release stored beside their bakes.
      await foldLegacyBakeCancels(db, db.collection<BakeRecord>('bakes'));
    },
    async insert(bake) {
      await bakes.insertOne(bake);
    },
    get: getOne,
    async listRecent(limit, deployment) {
      const filter = deployment ? { deployment } : {};
      return (await bakes.find(filter).sort({ createdAt: -1 }).limit(limit).toArray()).map(strip);
    },
    async listClaimable(now) {
      const docs = await bakes
        .find({ status: { $in: ACTIVE }, $or: leaseFree(now) }, { projection: { _id: 1 } })
        .toArray();
      return docs.map((doc) => doc._id);
    },
    async claim(id, owner, now, until) {
      const bake = await getOne(id);
      if (!bake || !isClaimableBy(bake, owner, now)) return undefined;
      // isClaimableBy as a filter: still active, and the lease still free or ours.
      const after = await bakes.findOneAndUpdate(
        { _id: id, status: { $in: ACTIVE }, $or: [...leaseFree(now), { 'lease.owner': owner }] },
        { $set: { lease: { owner, until }, updatedAt: now } },
        { returnDocument: 'after' },
      );
      return after ? strip(after) : undefined;
    },
    async renew(id, owner, until) {
      const result = await bakes.updateOne({ _id: id, 'lease.owner': owner }, { $set: { 'lease.until': until } });
      return result.matchedCount === 1;
    },
    async checkpoint(id, owner, checkpoint) {
      const result = await bakes.updateOne({ _id: id, 'lease.owner': owner }, { $set: checkpointSet(checkpoint) });
      return result.matchedCount === 1;
    },
    async release(id, owner) {
      await bakes.updateOne({ _id: id, 'lease.owner': owner }, { $unset: { lease: '' } });
    },
    async requestCancel(id, by, at) {
      const bake = await getOne(id);
      if (!bake || !isBakeCancelAllowed(bake)) return bake;
      const after = await bakes.findOneAndUpdate(
        { _id: id, status: { $in: ACTIVE }, cancelRequested: { $exists: false } },
        { $set: { cancelRequested: { by, at } } },
        { returnDocument: 'after' },
      );
      // Lost the race (another request won, or the bake just ended): the record as it is now.
      return after ? strip(after) : getOne(id);
    },
  };
}

/** A lease that is absent or over: the bake is free for any runner. */
const leaseFree = (now: Date) => [{ lease: { $exists: false } }, { 'lease.until': { $lt: now } }];

/**
 * A checkpoint as one `$set`: each fact, each field of a step and the command id at its own dotted path, so a
 * checkpoint never replaces a map it does not own (see `applyCheckpoint`, which the memory store and the runner use).
 */
export function checkpointSet(checkpoint: BakeCheckpoint): Record<string, unknown> {
  const { facts, command, steps, ...top } = checkpoint;
  const set: Record<string, unknown> = { ...top };
  for (const [name, value] of Object.entries(facts ?? {})) set[`facts.${name}`] = value;
  if (command) {
    if (!isCommandKey(command.key)) throw new Error(`not a command key: ${command.key}`);
    set[`facts.commands.${command.key}`] = command.id;
  }
  for (const [step, progress] of Object.entries(steps ?? {})) {
    for (const [name, value] of Object.entries(progress ?? {})) set[`steps.${step}.${name}`] = value;
  }
  return set;
}
