import { type CommandStartedEvent, type Document, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createMongoDominoTiers } from '../../src/adapters/mongo/domino-tiers.js';
import { createSimDominoTiers } from '../../src/sim/sim-domino.js';
import { createSimWorld } from '../../src/sim/sim-world.js';
import { dominoTiersContract, TIER_SEED } from '../contract/domino-tiers.contract.js';
import { newMongoClient, useTestDatabase } from '../support/mongo.js';

const db = useTestDatabase('tiers');
let collections = 0;

type TierDoc = Document & { _id: ObjectId | string };

const storedId = (id: string, idType: 'objectId' | 'string') => (idType === 'objectId' ? new ObjectId(id) : id);

dominoTiersContract(
  'MongoDB adapter on FerretDB',
  async (seed) => {
    const name = `executor_group_configuration_${++collections}`;
    const collection = db.db.collection<TierDoc>(name);
    await collection.insertMany(
      seed.map((s) => ({
        _id: storedId(s.id, s.idType),
        ...(s.name ? { name: s.name } : {}),
        executorImage: s.executorImage,
        ...s.extra,
      })),
    );
    return {
      port: createMongoDominoTiers({ db: db.db, collection: name, labelField: 'name' }),
      async read() {
        const docs = await collection.find({}).toArray();
        return new Map(docs.map((doc) => [String(doc._id), { ...doc, _id: String(doc._id), idType: typeof doc._id }]));
      },
      async edit(id, executorImage) {
        const s = seed.find((x) => x.id === id)!;
        await collection.updateOne({ _id: storedId(s.id, s.idType) }, { $set: { executorImage } });
      },
    };
    // FerretDB 1.x indexes `_id` by its value's text: an ObjectId and a string of the same hex collide (E11000).
  },
  process.env.MONGODB_TEST_URI ? 'kept-apart' : 'refused-by-server',
);

dominoTiersContract('simulator', async (seed) => {
  const world = createSimWorld();
  for (const s of seed) {
    world.tiers.push({
      idType: s.idType,
      doc: { _id: s.id, executorImage: s.executorImage, ...(s.name ? { name: s.name } : {}), ...s.extra },
    });
  }
  return {
    port: createSimDominoTiers(world),
    async read() {
      return new Map(world.tiers.map((t) => [t.doc._id, { ...t.doc }]));
    },
    async edit(id, executorImage) {
      const tier = world.tiers.find((t) => t.doc._id === id)!;
      tier.doc.executorImage = executorImage;
    },
  };
});

describe('MongoDB tiers adapter: what reaches the server', () => {
  it('sends ONE unordered update command of per-tier guarded statements, never a filter over all', async () => {
    const name = 'egc_monitored';
    await db.db
      .collection<TierDoc>(name)
      .insertMany(
        TIER_SEED.map((s) => ({ _id: storedId(s.id, s.idType), name: s.name, executorImage: s.executorImage })),
      );
    const client = newMongoClient({ monitorCommands: true });
    const seen: CommandStartedEvent[] = [];
    client.on('commandStarted', (event) => seen.push(event));
    await client.connect();
    try {
      const port = createMongoDominoTiers({ db: client.db(db.name), collection: name, labelField: 'name' });
      const tiers = await port.listTiers();
      seen.length = 0;
      await port.applyImageUpdates(
        tiers.map((t) => ({ id: t.id, idType: t.idType, from: t.executorImage, to: 'ami-0000000000000f00d' })),
      );
      const updates = seen.filter((e) => e.commandName === 'update');
      expect(updates).toHaveLength(1);
      const command = updates[0]!.command as { ordered: boolean; updates: Array<{ q: Document; multi?: boolean }> };
      expect(command.ordered).toBe(false);
      expect(command.updates).toHaveLength(TIER_SEED.length);
      for (const statement of command.updates) {
        // Every statement names one `_id` (so it can match at most one tier) and its recorded image;
        // `multi` is set only because FerretDB deadlocks on 100+ single-document statements.
        expect(Object.keys(statement.q).sort()).toEqual(['_id', 'executorImage']);
        expect(['string', 'object']).toContain(typeof statement.q._id);
        expect(statement.q._id).not.toHaveProperty('$in');
      }
      expect(seen.filter((e) => ['delete', 'insert', 'findAndModify'].includes(e.commandName))).toEqual([]);
      const ids = command.updates.map((u) => u.q._id);
      expect(ids.filter((id) => id instanceof ObjectId)).toHaveLength(2);
    } finally {
      await client.close();
    }
  });

  it('applies 150 tiers in one command (FerretDB 1.x stalls on 100 single-document statements)', async () => {
    const name = 'egc_many';
    await db.db
      .collection<TierDoc>(name)
      .insertMany(
        Array.from({ length: 150 }, (_, i) => ({ _id: `tier-${i}`, name: `Tier ${i}`, executorImage: 'ami-0old' })),
      );
    const port = createMongoDominoTiers({ db: db.db, collection: name, labelField: 'name' });
    const tiers = await port.listTiers();
    const result = await port.applyImageUpdates(
      tiers.map((t) => ({ id: t.id, idType: t.idType, from: t.executorImage, to: 'ami-0new' })),
    );
    expect(result.applied).toHaveLength(150);
    expect(result.conflicts).toEqual([]);
    expect((await port.listTiers()).every((t) => t.executorImage === 'ami-0new')).toBe(true);
  });

  it('refuses updates that would not change anything or name a tier twice', async () => {
    const port = createMongoDominoTiers({ db: db.db, collection: 'egc_refuse', labelField: 'name' });
    await expect(port.applyImageUpdates([{ id: 'a', idType: 'string', from: 'ami-1', to: 'ami-1' }])).rejects.toThrow(
      /must change/,
    );
    await expect(
      port.applyImageUpdates([
        { id: 'a', idType: 'string', from: 'ami-1', to: 'ami-2' },
        { id: 'a', idType: 'string', from: 'ami-1', to: 'ami-3' },
      ]),
    ).rejects.toThrow(/twice/);
  });

  it('reads a nested label field and skips tiers whose _id it could not write back', async () => {
    const name = 'egc_nested';
    await db.db
      .collection<TierDoc>(name)
      .insertMany([
        { _id: 'nested', hw: { displayName: 'Nested label' }, executorImage: 'ami-0000000000000a001' },
        { _id: 42 as unknown as string, executorImage: 'ami-0000000000000a001' },
        { _id: 'no-image' },
      ]);
    const port = createMongoDominoTiers({ db: db.db, collection: name, labelField: 'hw.displayName' });
    expect(await port.listTiers()).toEqual([
      { id: 'nested', idType: 'string', label: 'Nested label', executorImage: 'ami-0000000000000a001' },
      { id: 'no-image', idType: 'string', label: 'no-image', executorImage: '' },
    ]);
  });
});
