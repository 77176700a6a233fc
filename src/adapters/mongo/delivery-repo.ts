import type { Db } from 'mongodb';
import type { DeliveryRepo } from '../../slack/delivery-repo.js';
import { isDuplicateKey } from './lock-repo.js';

interface DeliveryDoc {
  _id: string;
  createdAt: Date;
}

/**
 * Slack deliveries: the key is the `_id`, so exactly one replica's insert succeeds (FerretDB and MongoDB both
 * answer 11000 to the others). Old keys are swept by a `createdAt` query: FerretDB has no TTL indexes.
 */
export function createMongoDeliveryRepo(db: Db): DeliveryRepo & { ensureIndexes(): Promise<void> } {
  const deliveries = db.collection<DeliveryDoc>('deliveries');
  return {
    async ensureIndexes() {
      await deliveries.createIndex({ createdAt: 1 });
    },
    async claim(key, at) {
      try {
        await deliveries.insertOne({ _id: key, createdAt: at });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
    async sweep(before) {
      const result = await deliveries.deleteMany({ createdAt: { $lt: before } });
      return result.deletedCount;
    },
  };
}
