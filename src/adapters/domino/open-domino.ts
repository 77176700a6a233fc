import { MongoClient } from 'mongodb';
import type { Config } from '../../config.js';
import type { Clock } from '../../ports/clock.js';
import type { DominoApiPort, DominoTiersPort, TierUsersPort } from '../../ports/domino.js';
import type { Logger } from '../../shared/logger.js';
import { createMongoDominoTiers } from '../mongo/domino-tiers.js';
import { createMongoTierUsers } from '../mongo/tier-users.js';
import { createDominoApi } from './domino-api.js';

export interface DominoPorts {
  tiers?: DominoTiersPort;
  tierUsers?: TierUsersPort;
  dominoApi?: DominoApiPort;
  close(): Promise<void>;
}

/**
 * The real Domino ports: its MongoDB (tiers, tier users) and its REST API, each only when configured. The
 * client connects lazily, so a Domino database that is briefly down does not stop the bot from starting.
 */
export function openDominoPorts(config: Config, clock: Clock, logger: Logger): DominoPorts {
  const ports: DominoPorts = { close: async () => undefined };
  if (config.mongo.dominoUri) {
    const client = new MongoClient(config.mongo.dominoUri, { serverSelectionTimeoutMS: 10_000, appName: 'ami-bot' });
    const db = client.db(config.mongo.dominoDatabase);
    ports.tiers = createMongoDominoTiers({
      db,
      collection: config.mongo.tierCollection,
      labelField: config.deployments[0]?.tierLabelField ?? 'name',
      logger,
    });
    ports.tierUsers = createMongoTierUsers({ db, clock, ...config.domino.tierUsers });
    ports.close = () => client.close();
  }
  if (config.domino.apiUrl && config.domino.apiKey) {
    ports.dominoApi = createDominoApi({
      apiUrl: config.domino.apiUrl,
      apiKey: config.domino.apiKey,
      ...(config.domino.testProjectId ? { defaultProjectId: config.domino.testProjectId } : {}),
    });
  }
  return ports;
}
