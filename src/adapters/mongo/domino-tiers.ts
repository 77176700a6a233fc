import { type AnyBulkWriteOperation, type Db, type Document, ObjectId } from 'mongodb';
import { AppError } from '../../errors.js';
import { type DominoTiersPort, type TierImageUpdate, type TierRecord, tierKey } from '../../ports/domino.js';
import type { Logger } from '../../shared/logger.js';

export interface MongoDominoTiersOptions {
  db: Db;
  /** Domino's hardware tier collection (`executor_group_configuration`). */
  collection: string;
  /** The field shown as the tier's name; field names vary between Domino versions. */
  labelField: string;
  logger?: Logger;
}

/** Only `_id` and `executorImage` are assumed; other ids (numbers) are read as unknown and skipped. */
interface TierDoc {
  _id: ObjectId | string;
  executorImage?: unknown;
  [field: string]: unknown;
}

/** Reads a dotted path (`hwtier.name`) from a document. */
function readPath(doc: Document, path: string): unknown {
  let node: unknown = doc;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function toStoredId(update: Pick<TierImageUpdate, 'id' | 'idType'>): ObjectId | string {
  if (update.idType === 'string') return update.id;
  if (!ObjectId.isValid(update.id)) {
    throw new AppError('invalid_tier_id', `Tier id ${update.id} is marked as an ObjectId but is not one.`);
  }
  return new ObjectId(update.id);
}

/**
 * DominoTiersPort on Domino's own MongoDB. Only `_id` and `executorImage` are assumed. Every write is an
 * `updateOne` guarded by the tier's `_id` AND its recorded old image, all in one unordered bulkWrite: a tier
 * someone changed meanwhile matches nothing and is reported, never overwritten. There is deliberately no code
 * path that updates documents by any other filter.
 */
/** One batch for every tier list (a deployment has at most thousands of tiers): one round trip per read. */
const BATCH = 100_000;

export function createMongoDominoTiers(options: MongoDominoTiersOptions): DominoTiersPort {
  const collection = options.db.collection<TierDoc>(options.collection);

  async function readImages(ids: Array<ObjectId | string>): Promise<Map<string, unknown>> {
    const docs = await collection
      .find({ _id: { $in: ids } }, { projection: { _id: 1, executorImage: 1 }, batchSize: BATCH })
      .toArray();
    // Keyed by _id type and text: an ObjectId and a string _id with the same hex are two tiers.
    return new Map(
      docs.map((doc) => [
        tierKey({ id: String(doc._id), idType: doc._id instanceof ObjectId ? 'objectId' : 'string' }),
        doc.executorImage,
      ]),
    );
  }

  return {
    async listTiers() {
      const docs = await collection
        .find({}, { projection: { _id: 1, executorImage: 1, [options.labelField]: 1 }, batchSize: BATCH })
        .toArray();
      const tiers: TierRecord[] = [];
      for (const doc of docs) {
        const rawId: unknown = doc._id;
        const idType = rawId instanceof ObjectId ? 'objectId' : typeof rawId === 'string' ? 'string' : undefined;
        if (idType === undefined) {
          // A numeric or compound _id cannot be written back safely by this adapter: leave the tier alone.
          options.logger?.warn({ id: String(doc._id) }, 'tier with an unsupported _id type skipped');
          continue;
        }
        const id = String(doc._id);
        const label = readPath(doc, options.labelField);
        tiers.push({
          id,
          idType,
          label: typeof label === 'string' && label.trim() !== '' ? label : id,
          executorImage: typeof doc.executorImage === 'string' ? doc.executorImage : '',
        });
      }
      return tiers.sort((a, b) => a.label.localeCompare(b.label) || a.id.localeCompare(b.id));
    },

    async applyImageUpdates(updates) {
      if (updates.length === 0) return { applied: [], conflicts: [] };
      const ids = new Set(updates.map(tierKey));
      if (ids.size !== updates.length)
        throw new AppError('duplicate_tier_update', 'A tier appears twice in one apply.');
      if (updates.some((update) => update.from === update.to || update.to === '')) {
        throw new AppError('invalid_tier_update', 'A tier update must change the image to a non-empty AMI id.');
      }
      // `updateMany` on an `_id` filter matches at most one document, exactly like `updateOne`; it is used
      // because FerretDB 1.x holds a connection per `updateOne` statement until the whole command ends and
      // deadlocks from 100 statements on (measured in docs/PERFORMANCE.md), while MongoDB treats both alike.
      const ops: AnyBulkWriteOperation<TierDoc>[] = updates.map((update) => ({
        updateMany: {
          filter: { _id: toStoredId(update), executorImage: update.from },
          update: { $set: { executorImage: update.to } },
        },
      }));
      await collection.bulkWrite(ops, { ordered: false });
      // bulkWrite gives counts, not which filters matched: read the planned tiers back to tell them apart.
      const now = await readImages(updates.map(toStoredId));
      const applied: string[] = [];
      const conflicts: string[] = [];
      for (const update of updates) {
        (now.get(tierKey(update)) === update.to ? applied : conflicts).push(tierKey(update));
      }
      return { applied, conflicts };
    },
  };
}
