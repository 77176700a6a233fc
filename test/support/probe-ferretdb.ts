// `npx tsx test/support/probe-ferretdb.ts [sqlite|postgresql ...]`: what the test peer does where FerretDB is
// known to differ from MongoDB, measured on each backend, bare and behind the write gate the tests use (or on
// MONGODB_TEST_URI, for comparison with a real server).
// Prints one JSON object per peer; docs/MONGODB.md ("The test peer") records the results.
import { type Db, MongoClient, MongoServerError, ObjectId } from 'mongodb';
import { type FerretDbBackend, startFerretDb } from './ferretdb.js';

const CONCURRENCY = 20;
const ROUNDS = 5;

type Probe = (db: Db, client: MongoClient) => Promise<unknown>;

const PROBES: Record<string, Probe> = {
  async uniqueIndexInsert(db) {
    const c = db.collection<{ name: string }>('unique_insert');
    await c.createIndex({ name: 1 }, { unique: true });
    await c.insertOne({ name: 'a' });
    return outcome(await failure(c.insertOne({ name: 'a' })));
  },
  async uniqueIndexUpdate(db) {
    const c = db.collection<{ name: string }>('unique_update');
    await c.createIndex({ name: 1 }, { unique: true });
    await c.insertMany([{ name: 'a' }, { name: 'b' }]);
    return outcome(await failure(c.updateOne({ name: 'b' }, { $set: { name: 'a' } })));
  },
  async uniqueIndexRace(db) {
    const c = db.collection<{ name: string; i: number }>('unique_race');
    await c.createIndex({ name: 1 }, { unique: true });
    const results = await Promise.allSettled(range(CONCURRENCY).map((i) => c.insertOne({ name: 'race', i })));
    return `${results.filter((r) => r.status === 'fulfilled').length} of ${CONCURRENCY} inserts won`;
  },
  async concurrentCreateIndex(db) {
    // Three start-ups at once on a fresh database: each creates one index name on four new collections.
    const key = { deployment: 1, createdAt: -1 } as const;
    const collections = ['ci_a', 'ci_b', 'ci_c', 'ci_d'].map((name) => db.collection(name));
    let twice = 0;
    for (const round of range(ROUNDS)) {
      const raced = collections.map((c) => db.collection(`${c.collectionName}_${round}`));
      await Promise.all(range(3).map(() => Promise.all(raced.map((c) => c.createIndex(key)))));
      for (const c of raced) if ((await c.listIndexes().toArray()).length !== 2) twice++;
    }
    return `${twice} of ${ROUNDS * collections.length} collections got the index more than once`;
  },
  async ttlIndex(db) {
    return outcome(await failure(db.collection('ttl').createIndex({ at: 1 }, { expireAfterSeconds: 60 })));
  },
  async concurrentSetOnOneDocument(db) {
    // Each round: 20 updateOne $set of 20 different fields of one document; how many fields survive?
    const c = db.collection<{ _id: string } & Record<string, unknown>>('lost_set');
    const kept: number[] = [];
    for (const round of range(ROUNDS)) {
      const _id = `d${round}`;
      await c.insertOne({ _id });
      await Promise.all(range(CONCURRENCY).map((i) => c.updateOne({ _id }, { $set: { [`f${i}`]: i } })));
      kept.push(Object.keys((await c.findOne({ _id })) ?? {}).length - 1);
    }
    return `fields kept of ${CONCURRENCY}, per round: ${kept.join(', ')}`;
  },
  async concurrentIncOnOneDocument(db) {
    const c = db.collection<{ _id: string; n: number }>('lost_inc');
    await c.insertOne({ _id: 'n', n: 0 });
    await Promise.all(range(CONCURRENCY).map(() => c.updateOne({ _id: 'n' }, { $inc: { n: 1 } })));
    return `n = ${(await c.findOne({ _id: 'n' }))?.n} after ${CONCURRENCY} concurrent $inc`;
  },
  async guardedFindOneAndUpdate(db) {
    // Each round: 20 claims of one queued job (filter on state: 'queued'); MongoDB lets exactly one win.
    const c = db.collection<{ _id: string; state: string; owner?: number }>('claims');
    const winners: number[] = [];
    for (const round of range(ROUNDS)) {
      const _id = `j${round}`;
      await c.insertOne({ _id, state: 'queued' });
      const results = await Promise.all(
        range(CONCURRENCY).map((i) =>
          c.findOneAndUpdate({ _id, state: 'queued' }, { $set: { state: 'running', owner: i } }),
        ),
      );
      winners.push(results.filter((r) => r !== null).length);
    }
    return `winners per round: ${winners.join(', ')}`;
  },
  async guardedUpdateOne(db) {
    const c = db.collection<{ _id: string; state: string; owner?: number }>('guarded');
    const modified: number[] = [];
    for (const round of range(ROUNDS)) {
      const _id = `u${round}`;
      await c.insertOne({ _id, state: 'queued' });
      const results = await Promise.all(
        range(CONCURRENCY).map((i) => c.updateOne({ _id, state: 'queued' }, { $set: { state: 'running', owner: i } })),
      );
      modified.push(results.reduce((sum, r) => sum + r.modifiedCount, 0));
    }
    return `modifiedCount summed per round: ${modified.join(', ')}`;
  },
  async transaction(db, client) {
    const session = client.startSession();
    try {
      await session.withTransaction(async () => {
        await db.collection('tx').insertOne({ v: 1 }, { session });
      });
      return 'committed';
    } catch (error) {
      return outcome(error);
    } finally {
      await session.endSession();
    }
  },
  async changeStream(db) {
    const stream = db.collection('watched').watch();
    try {
      await stream.tryNext();
      return 'opened';
    } catch (error) {
      return outcome(error);
    } finally {
      await stream.close();
    }
  },
  async objectIdAndStringIdOfOneHex(db) {
    const hex = '64f1c0de5a1b2c3d4e5f0001';
    const c = db.collection<{ _id: ObjectId | string }>('ids');
    await c.insertOne({ _id: new ObjectId(hex) });
    return outcome(await failure(c.insertOne({ _id: hex })));
  },
};

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (error: unknown) => error,
  );
}

function outcome(error: unknown): string {
  if (error === undefined) return 'accepted';
  if (error instanceof MongoServerError) return `refused: ${error.code} ${error.codeName ?? ''} ${error.message}`;
  return `failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 200);
}

async function probe(uri: string): Promise<Record<string, unknown>> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 2 * CONCURRENCY });
  await client.connect();
  const db = client.db(`probe_${Date.now()}`);
  const results: Record<string, unknown> = {};
  try {
    for (const [name, run] of Object.entries(PROBES)) {
      results[name] = await run(db, client).catch((error: unknown) => `probe failed: ${outcome(error)}`);
    }
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  }
  return results;
}

const external = process.env.MONGODB_TEST_URI;
if (external) {
  console.log(JSON.stringify({ peer: external, ...(await probe(external)) }, null, 2));
} else {
  const backends = (process.argv.slice(2) as FerretDbBackend[]).filter(Boolean);
  for (const backend of backends.length ? backends : (['postgresql', 'sqlite'] as const)) {
    for (const writeGate of [false, true]) {
      const server = await startFerretDb({ backend, writeGate });
      const peer = `FerretDB on ${backend}, ${writeGate ? 'behind the write gate' : 'bare'}`;
      try {
        console.log(JSON.stringify({ peer, ...(await probe(server.uri)) }, null, 2));
      } finally {
        await server.stop();
      }
    }
  }
}
