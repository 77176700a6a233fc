// Per-test-file MongoDB database on the run's shared server (FerretDB, or MONGODB_TEST_URI).
// FerretDB lacks transactions, change streams, TTL indexes, $lookup and $addToSet; a unique index broken by an
// update reports InternalError rather than 11000. Tests must not depend on those. Single-document writes are atomic,
// as on MongoDB, thanks to the test wrapper's write gate (docs/MONGODB.md, "The test peer").
import { randomBytes } from 'node:crypto';
import { type Db, MongoClient, type MongoClientOptions } from 'mongodb';
import { afterAll, beforeAll, inject } from 'vitest';

export function mongoTestUri(): string {
  const uri = inject('mongoUri');
  if (!uri) throw new Error('no mongoUri provided: is test/support/global-setup.ts in vitest.config.ts globalSetup?');
  return uri;
}

/** A new, unconnected-until-used client to the test server; the caller closes it. */
export function newMongoClient(opts: MongoClientOptions = {}): MongoClient {
  return new MongoClient(mongoTestUri(), { serverSelectionTimeoutMS: 10_000, ...opts });
}

/** A database name unique to this run and file, valid for MongoDB and both of FerretDB's backends. */
export function uniqueDbName(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export interface TestDatabase {
  readonly uri: string;
  readonly name: string;
  /** Available from beforeAll on. */
  readonly client: MongoClient;
  /** Available from beforeAll on. */
  readonly db: Db;
}

/**
 * Call at the top of a test file (or describe): connects in beforeAll, drops the database and closes in afterAll.
 */
export function useTestDatabase(prefix = 't'): TestDatabase {
  const name = uniqueDbName(prefix);
  let client: MongoClient | undefined;
  let db: Db | undefined;

  beforeAll(async () => {
    client = newMongoClient();
    await client.connect();
    db = client.db(name);
  });
  afterAll(async () => {
    if (!client) return;
    try {
      await db?.dropDatabase();
    } finally {
      await client.close();
    }
  });

  return {
    get uri() {
      return mongoTestUri();
    },
    name,
    get client() {
      if (!client) throw new Error('useTestDatabase: client used before beforeAll ran');
      return client;
    },
    get db() {
      if (!db) throw new Error('useTestDatabase: db used before beforeAll ran');
      return db;
    },
  };
}
