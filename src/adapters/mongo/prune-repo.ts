import type { Db } from 'mongodb';
import { isDecisionAllowed, type PruneRecord } from '../../lifecycle/prune-record.js';
import type { PruneRepo } from '../../lifecycle/prune-repo.js';
import { insertOnce } from './lock-repo.js';

/**
 * Prune records in the bot's own database (`prunes`): one document per prune; the decision and the result are
 * guarded `updateOne`s on it (the pure guard decides, the filter makes the winner atomic), each item's outcome a
 * `$set` of its own field, so concurrent writers of different items never overwrite each other.
 */
export function createMongoPruneRepo(db: Db): PruneRepo & { ensureIndexes(): Promise<void> } {
  const prunes = db.collection<PruneRecord>('prunes');
  return {
    async ensureIndexes() {
      await prunes.createIndex({ deployment: 1, createdAt: -1 });
    },
    insert: (record) => insertOnce(prunes, record),
    async get(id) {
      return (await prunes.findOne({ _id: id })) ?? undefined;
    },
    async listRecent(limit, deployment) {
      const filter = deployment === undefined ? {} : { deployment };
      return prunes.find(filter).sort({ createdAt: -1 }).limit(limit).toArray();
    },
    async decide(id, decision) {
      const record = await prunes.findOne({ _id: id });
      if (!record || !isDecisionAllowed(record, decision)) return false;
      const out = await prunes.updateOne({ _id: id, decision: { $exists: false } }, { $set: { decision } });
      return out.modifiedCount === 1;
    },
    async recordOutcome(id, key, outcome) {
      await prunes.updateOne({ _id: id }, { $set: { [`outcomes.${key}`]: outcome } });
    },
    async noteMessage(id, message) {
      await prunes.updateOne({ _id: id }, { $set: { message } });
    },
    async finish(id, result) {
      const out = await prunes.updateOne({ _id: id, result: { $exists: false } }, { $set: { result } });
      return out.modifiedCount === 1;
    },
  };
}
