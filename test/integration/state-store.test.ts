import { afterAll } from 'vitest';
import { createMemoryStateStore } from '../../src/adapters/memory/memory-state-store.js';
import { createMongoStateStore } from '../../src/adapters/mongo/state-store.js';
import type { StateStore } from '../../src/ports/state-store.js';
import { pruneStoreContract } from '../contract/prune-store.contract.js';
import { reviewStoreContract } from '../contract/review-store.contract.js';
import { rolloutStoreContract } from '../contract/rollout-store.contract.js';
import { stateStoreContract } from '../contract/state-store.contract.js';
import { mongoTestUri, uniqueDbName } from '../support/mongo.js';

const opened: StateStore[] = [];

stateStoreContract('MongoDB store on FerretDB', async () => {
  const store = await createMongoStateStore({ uri: mongoTestUri(), database: uniqueDbName('state') });
  opened.push(store);
  return store;
});

stateStoreContract('in-memory store', async () => createMemoryStateStore());

reviewStoreContract('MongoDB store on FerretDB', async () => {
  const store = await createMongoStateStore({ uri: mongoTestUri(), database: uniqueDbName('review') });
  opened.push(store);
  return store;
});

reviewStoreContract('in-memory store', async () => createMemoryStateStore());

rolloutStoreContract('MongoDB store on FerretDB', async () => {
  const store = await createMongoStateStore({ uri: mongoTestUri(), database: uniqueDbName('rollout') });
  opened.push(store);
  return store;
});

rolloutStoreContract('in-memory store', async () => createMemoryStateStore());

pruneStoreContract('MongoDB store on FerretDB', async () => {
  const store = await createMongoStateStore({ uri: mongoTestUri(), database: uniqueDbName('prune') });
  opened.push(store);
  return store;
});

pruneStoreContract('in-memory store', async () => createMemoryStateStore());

afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
});
