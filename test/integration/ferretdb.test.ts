// Proves the MongoDB test peer (FerretDB, or MONGODB_TEST_URI) does the operations ami-bot relies on.
import { existsSync } from 'node:fs';
import { MongoClient, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { type FerretDbBackend, startFerretDb } from '../support/ferretdb.js';
import { useTestDatabase } from '../support/mongo.js';
import { postgresBinDir } from '../support/postgres.js';

interface Job {
  _id: string;
  state: string;
  version: number;
  owner?: string;
}

describe('MongoDB round trip on the test server', () => {
  const t = useTestDatabase();

  it('inserts and reads back', async () => {
    const jobs = t.db.collection<Job>('jobs');
    await jobs.insertOne({ _id: 'j1', state: 'queued', version: 1 });
    expect(await jobs.findOne({ _id: 'j1' })).toEqual({ _id: 'j1', state: 'queued', version: 1 });
  });

  it('findOneAndUpdate with a guard matches only once', async () => {
    const jobs = t.db.collection<Job>('jobs');
    await jobs.insertOne({ _id: 'j2', state: 'queued', version: 1 });
    const guard = { _id: 'j2', state: 'queued', version: 1 };
    const update = { $set: { state: 'running', owner: 'a' }, $inc: { version: 1 } };

    const first = await jobs.findOneAndUpdate(guard, update, { returnDocument: 'after' });
    expect(first).toMatchObject({ state: 'running', version: 2, owner: 'a' });

    const second = await jobs.findOneAndUpdate(guard, { ...update, $set: { state: 'running', owner: 'b' } });
    expect(second).toBeNull();
    expect(await jobs.findOne({ _id: 'j2' })).toMatchObject({ owner: 'a', version: 2 });
  });

  // MongoDB makes each single-document write atomic; bare FerretDB 1.x does not (it keeps 1-5 of the 20 fields and
  // lets 2-20 claims win, on either backend: test/support/probe-ferretdb.ts). The write gate gives it back.
  it('keeps every one of 20 concurrent $set of different fields of one document', async () => {
    const docs = t.db.collection<{ _id: string } & Record<string, unknown>>('concurrent_set');
    await docs.insertOne({ _id: 'doc' });
    const fields = Array.from({ length: 20 }, (_, i) => `f${i}`);
    await Promise.all(fields.map((field, i) => docs.updateOne({ _id: 'doc' }, { $set: { [field]: i } })));
    expect(await docs.findOne({ _id: 'doc' })).toEqual({
      _id: 'doc',
      ...Object.fromEntries(fields.map((f, i) => [f, i])),
    });
  });

  it('lets exactly one of 20 concurrent guarded findOneAndUpdate claims win', async () => {
    const jobs = t.db.collection<Job>('concurrent_claims');
    await jobs.insertOne({ _id: 'claimed', state: 'queued', version: 1 });
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        jobs.findOneAndUpdate(
          { _id: 'claimed', state: 'queued' },
          { $set: { state: 'running', owner: `r${i}` }, $inc: { version: 1 } },
          { returnDocument: 'after' },
        ),
      ),
    );
    const won = claims.filter((claim) => claim !== null);
    expect(won).toHaveLength(1);
    expect(await jobs.findOne({ _id: 'claimed' })).toEqual({ ...won[0], version: 2 });
  });

  // Bare FerretDB on PostgreSQL makes the index twice on about a third of the collections here (its registry checks
  // "already exists" by index name across the database); the write gate serialises createIndexes.
  it('creates each index once when createIndex of one name races on several new collections', async () => {
    const key = { deployment: 1, createdAt: -1 } as const;
    const collections = ['index_a', 'index_b', 'index_c', 'index_d'].map((name) => t.db.collection(name));
    await Promise.all(Array.from({ length: 3 }, () => Promise.all(collections.map((c) => c.createIndex(key)))));
    for (const c of collections) {
      const names = (await c.listIndexes().toArray()).map((index) => index.name as string);
      expect(names.sort(), c.collectionName).toEqual(['_id_', 'deployment_1_createdAt_-1']);
    }
  });

  it('rejects a duplicate key in a unique index', async () => {
    const locks = t.db.collection<{ name: string }>('locks');
    await locks.createIndex({ name: 1 }, { unique: true });
    await locks.insertOne({ name: 'bake' });
    // Observed: FerretDB 1.24.2 (SQLite) answers code 11000 (DuplicateKey), like MongoDB, for inserts.
    const err = await locks.insertOne({ name: 'bake' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect((err as MongoServerError).code).toBe(11000);
    expect(await locks.countDocuments({ name: 'bake' })).toBe(1);
  });

  it('rejects a duplicate _id', async () => {
    const jobs = t.db.collection<Job>('jobs');
    await jobs.insertOne({ _id: 'j3', state: 'queued', version: 1 });
    // Observed: FerretDB 1.24.2 (SQLite) answers code 11000 (DuplicateKey), like MongoDB.
    const err = await jobs.insertOne({ _id: 'j3', state: 'other', version: 9 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect((err as MongoServerError).code).toBe(11000);
    expect(await jobs.findOne({ _id: 'j3' })).toMatchObject({ state: 'queued' });
  });

  it('bulkWrite with per-op guards reports matched and modified counts', async () => {
    const jobs = t.db.collection<Job>('bulk');
    await jobs.insertMany([
      { _id: 'a', state: 'queued', version: 1 },
      { _id: 'b', state: 'done', version: 1 },
      { _id: 'c', state: 'queued', version: 1 },
    ]);
    const res = await jobs.bulkWrite(
      [
        { updateOne: { filter: { _id: 'a', state: 'queued' }, update: { $set: { state: 'running' } } } },
        { updateOne: { filter: { _id: 'b', state: 'queued' }, update: { $set: { state: 'running' } } } },
        // Matches but changes nothing: counted as matched, not modified.
        { updateOne: { filter: { _id: 'c', state: 'queued' }, update: { $set: { state: 'queued' } } } },
      ],
      { ordered: false },
    );
    expect(res.matchedCount).toBe(2);
    expect(res.modifiedCount).toBe(1);
    expect(await jobs.find({}, { sort: { _id: 1 } }).toArray()).toMatchObject([
      { _id: 'a', state: 'running' },
      { _id: 'b', state: 'done' },
      { _id: 'c', state: 'queued' },
    ]);
  });
});

// Both backends stay runnable: SQLite everywhere, PostgreSQL where its server binaries are installed.
const BACKENDS: FerretDbBackend[] = (await postgresBinDir()) ? ['postgresql', 'sqlite'] : ['sqlite'];

describe.skipIf(!!process.env.MONGODB_TEST_URI).each(BACKENDS)('startFerretDb on %s', (backend) => {
  it('restarts on the same data dir and port, keeping data, and stop() ends the process', async () => {
    const first = await startFerretDb({ backend });
    expect(first.backend).toBe(backend);
    let current = first;
    try {
      const client = new MongoClient(first.uri, { serverSelectionTimeoutMS: 10_000 });
      await client
        .db('restart')
        .collection('c')
        .insertOne({ _id: 1 as never, v: 'kept' });
      await client.close();

      current = await first.restart();
      expect(current.port).toBe(first.port);
      expect(current.dataDir).toBe(first.dataDir);
      expect(await first.exited).not.toBeUndefined();

      const again = new MongoClient(current.uri, { serverSelectionTimeoutMS: 10_000 });
      expect(await again.db('restart').collection('c').findOne({})).toMatchObject({ v: 'kept' });
      await again.close();
    } finally {
      await current.stop();
    }
    expect(() => process.kill(current.pid, 0)).toThrow();
    // The temp data dir (for PostgreSQL, the cluster the server was stopped on) is gone with it.
    expect(existsSync(current.dataDir)).toBe(false);
  });
});
