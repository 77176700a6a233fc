import { MongoClient } from 'mongodb';
import type { StateStore } from '../../ports/state-store.js';
import { createMongoBakeRepo } from './bake-repo.js';
import { createMongoDeliveryRepo } from './delivery-repo.js';
import { createMongoLockRepo } from './lock-repo.js';
import { createMongoPruneRepo } from './prune-repo.js';
import { createMongoReviewRepo } from './review-repo.js';
import { createMongoRolloutRepos } from './rollout-repos.js';
import { createMongoTickRepo } from './tick-repo.js';

export interface MongoStateStoreOptions {
  uri: string;
  database: string;
  /** Short server selection so /readyz and start-up fail fast instead of hanging 30 s. */
  serverSelectionTimeoutMS?: number;
}

/** The bot's own state on MongoDB (or FerretDB); creates its indexes idempotently. */
export async function createMongoStateStore(options: MongoStateStoreOptions): Promise<StateStore> {
  const client = new MongoClient(options.uri, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5_000,
    appName: 'ami-bot',
  });
  await client.connect();
  const db = client.db(options.database);
  const bakes = createMongoBakeRepo(db);
  await bakes.ensureIndexes();
  const reviews = createMongoReviewRepo(db);
  await reviews.ensureIndexes();
  const ticks = createMongoTickRepo(db);
  await ticks.ensureIndexes();
  const deliveries = createMongoDeliveryRepo(db);
  await deliveries.ensureIndexes();
  const rollout = await createMongoRolloutRepos(db);
  const prunes = createMongoPruneRepo(db);
  await prunes.ensureIndexes();
  return {
    bakes,
    locks: createMongoLockRepo(db),
    ticks,
    reviews,
    deliveries,
    prunes,
    ...rollout,
    async ping() {
      try {
        await db.command({ ping: 1 });
        return true;
      } catch {
        return false;
      }
    },
    close: () => client.close(),
  };
}
