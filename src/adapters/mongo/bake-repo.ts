import type { Collection, Db } from 'mongodb';
import { type BakeCheckpoint, type BakeRecord, type BakeStatus, isCommandKey } from '../../bake/bake-record.js';
import type { BakeRepo } from '../../bake/bake-repo.js';
import { isDuplicateKey } from './lock-repo.js';

const ACTIVE: BakeStatus[] = ['running', 'compensating'];

type StoredBake = Omit<BakeRecord, 'cancelRequested'> & { leaseEpoch?: number };

interface ClaimDoc {
  _id: string;
  owner: string;
  at: Date;
}

interface CancelDoc {
  _id: string;
  by: string;
  at: Date;
}

/** A lease that is absent or over: the bake is free for any runner. */
const leaseFree = (now: Date) => [{ lease: { $exists: false } }, { 'lease.until': { $lt: now } }];

/**
 * Bakes in the bot's own database.
 *
 * Only the runner holding a bake's lease writes its document; everybody else writes elsewhere.
 * That matters beyond MongoDB: some MongoDB-compatible servers (FerretDB 1.x on SQLite among
 * them) apply updates as read-modify-write, so two concurrent updates of one document can lose
 * one, and a guarded update can "win" twice. Inserts of one `_id` are atomic everywhere, so:
 * - a claim inserts `<bakeId>:<epoch>` into `bake_claims`: exactly one runner wins each epoch;
 * - a cancel request inserts `<bakeId>` into `bake_cancels`: the first request wins, and the
 *   runner's checkpoints are never raced by another process's update.
 */
export function createMongoBakeRepo(db: Db): BakeRepo & { ensureIndexes(): Promise<void> } {
  const bakes: Collection<StoredBake> = db.collection<StoredBake>('bakes');
  const claims = db.collection<ClaimDoc>('bake_claims');
  const cancels = db.collection<CancelDoc>('bake_cancels');

  async function withCancels(docs: StoredBake[]): Promise<BakeRecord[]> {
    if (docs.length === 0) return [];
    const found = await cancels.find({ _id: { $in: docs.map((doc) => doc._id) } }).toArray();
    const byId = new Map(found.map((doc) => [doc._id, { by: doc.by, at: doc.at }]));
    return docs.map(({ leaseEpoch: _epoch, ...doc }) => {
      const cancel = byId.get(doc._id);
      return cancel ? { ...doc, cancelRequested: cancel } : doc;
    });
  }

  async function getOne(id: string): Promise<BakeRecord | undefined> {
    const doc = await bakes.findOne({ _id: id });
    return doc ? (await withCancels([doc]))[0] : undefined;
  }

  return {
    async ensureIndexes() {
      await bakes.createIndex({ status: 1, 'lease.until': 1 });
      await bakes.createIndex({ deployment: 1, createdAt: -1 });
    },
    async insert(bake) {
      const { cancelRequested: _ignored, ...doc } = bake;
      await bakes.insertOne(doc);
    },
    get: getOne,
    async listRecent(limit, deployment) {
      const filter = deployment ? { deployment } : {};
      return withCancels(await bakes.find(filter).sort({ createdAt: -1 }).limit(limit).toArray());
    },
    async listClaimable(now) {
      const docs = await bakes
        .find({ status: { $in: ACTIVE }, $or: leaseFree(now) }, { projection: { _id: 1 } })
        .toArray();
      return docs.map((doc) => doc._id);
    },
    async claim(id, owner, now, until) {
      const doc = await bakes.findOne({ _id: id, status: { $in: ACTIVE } });
      if (!doc) return undefined;
      if (doc.lease?.owner !== owner) {
        if (doc.lease && doc.lease.until.getTime() >= now.getTime()) return undefined;
        const epoch = (doc.leaseEpoch ?? 0) + 1;
        try {
          await claims.insertOne({ _id: `${id}:${epoch}`, owner, at: now });
        } catch (error) {
          if (isDuplicateKey(error)) return undefined;
          throw error;
        }
        await bakes.updateOne({ _id: id }, { $set: { lease: { owner, until }, leaseEpoch: epoch, updatedAt: now } });
      } else {
        await bakes.updateOne({ _id: id }, { $set: { 'lease.until': until, updatedAt: now } });
      }
      return getOne(id);
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
      const bake = await bakes.findOne({ _id: id }, { projection: { status: 1 } });
      if (!bake) return undefined;
      if (ACTIVE.includes(bake.status)) {
        try {
          await cancels.insertOne({ _id: id, by, at });
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      }
      return getOne(id);
    },
  };
}

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
