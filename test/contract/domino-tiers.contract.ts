import { beforeEach, describe, expect, it } from 'vitest';
import { type DominoTiersPort, tierKey } from '../../src/ports/domino.js';

/** A tier document as a test writes it: `_id` type chosen per tier, extra fields as Domino stores them. */
export interface SeedTier {
  id: string;
  idType: 'objectId' | 'string';
  name?: string;
  executorImage: string;
  extra?: Record<string, unknown>;
}

export interface TiersUnderTest {
  port: DominoTiersPort;
  /** Every document as stored now, keyed by `_id` text (what a DBA would see). */
  read(): Promise<Map<string, Record<string, unknown>>>;
  /** Someone else edits a tier behind the bot's back. */
  edit(id: string, executorImage: string): Promise<void>;
}

export const TIER_SEED: SeedTier[] = [
  {
    id: '64f1c0de5a1b2c3d4e5f7001',
    idType: 'objectId',
    name: 'Small',
    executorImage: 'ami-0000000000000a001',
    extra: { cores: 2, isDefault: true },
  },
  { id: 'medium', idType: 'string', name: 'Medium', executorImage: 'ami-0000000000000a001', extra: { cores: 8 } },
  { id: '64f1c0de5a1b2c3d4e5f7003', idType: 'objectId', name: 'GPU', executorImage: 'ami-0000000000000c0de' },
  { id: 'nameless', idType: 'string', executorImage: 'ami-0000000000000a002' },
];

/** Two tiers whose `_id`s differ only in type: MongoDB keeps them apart, FerretDB 1.x refuses the second. */
export const TWIN_SEED: SeedTier[] = [
  { id: '64f1c0de5a1b2c3d4e5f7abc', idType: 'objectId', name: 'By ObjectId', executorImage: 'ami-0000000000000a001' },
  { id: '64f1c0de5a1b2c3d4e5f7abc', idType: 'string', name: 'By string', executorImage: 'ami-0000000000000a002' },
];

/**
 * One behaviour for DominoTiersPort: the MongoDB adapter (on FerretDB, or MongoDB) and the simulator. `twins`
 * says whether the store can hold TWIN_SEED: MongoDB and the simulator can, FerretDB 1.x refuses it (E11000).
 */
export function dominoTiersContract(
  name: string,
  open: (seed: SeedTier[]) => Promise<TiersUnderTest>,
  twins: 'kept-apart' | 'refused-by-server' = 'kept-apart',
): void {
  describe(`DominoTiersPort contract: ${name}`, () => {
    let t: TiersUnderTest;
    beforeEach(async () => {
      t = await open(TIER_SEED);
    });

    it('lists every tier with its _id type, label (or id) and executorImage', async () => {
      const tiers = await t.port.listTiers();
      expect(tiers.map((tier) => [tier.id, tier.idType, tier.label, tier.executorImage]).sort()).toEqual(
        TIER_SEED.map((s) => [s.id, s.idType, s.name ?? s.id, s.executorImage]).sort(),
      );
    });

    it('applies guarded updates: changed tiers move, edited tiers are conflicts, other fields untouched', async () => {
      const before = await t.read();
      await t.edit('medium', 'ami-0000000000hand01');
      const result = await t.port.applyImageUpdates([
        {
          id: '64f1c0de5a1b2c3d4e5f7001',
          idType: 'objectId',
          from: 'ami-0000000000000a001',
          to: 'ami-0000000000000b001',
        },
        { id: 'medium', idType: 'string', from: 'ami-0000000000000a001', to: 'ami-0000000000000b001' },
        { id: 'nameless', idType: 'string', from: 'ami-0000000000000a002', to: 'ami-0000000000000b001' },
      ]);
      expect(result.applied.sort()).toEqual(['objectId:64f1c0de5a1b2c3d4e5f7001', 'string:nameless']);
      expect(result.conflicts).toEqual(['string:medium']);
      const after = await t.read();
      expect(after.get('64f1c0de5a1b2c3d4e5f7001')).toEqual({
        ...before.get('64f1c0de5a1b2c3d4e5f7001'),
        executorImage: 'ami-0000000000000b001',
      });
      expect(after.get('medium')?.executorImage).toBe('ami-0000000000hand01');
      expect(after.get('64f1c0de5a1b2c3d4e5f7003')).toEqual(before.get('64f1c0de5a1b2c3d4e5f7003'));
    });

    it('does nothing for an empty list of updates', async () => {
      const before = await t.read();
      expect(await t.port.applyImageUpdates([])).toEqual({ applied: [], conflicts: [] });
      expect(await t.read()).toEqual(before);
    });

    it('an update planned for a string _id never touches the ObjectId tier with the same hex', async () => {
      const before = await t.read();
      const result = await t.port.applyImageUpdates([
        {
          id: '64f1c0de5a1b2c3d4e5f7001',
          idType: 'string',
          from: 'ami-0000000000000a001',
          to: 'ami-0000000000000b001',
        },
      ]);
      expect(result).toEqual({ applied: [], conflicts: ['string:64f1c0de5a1b2c3d4e5f7001'] });
      expect(await t.read()).toEqual(before);
    });

    if (twins === 'kept-apart') {
      it('keeps an ObjectId and a string _id with the same hex apart: listed, written and checked separately', async () => {
        const hex = '64f1c0de5a1b2c3d4e5f7abc';
        const both = await open(TWIN_SEED);
        const images = async () => new Map((await both.port.listTiers()).map((x) => [tierKey(x), x.executorImage]));
        expect([...(await images()).keys()].sort()).toEqual([`objectId:${hex}`, `string:${hex}`]);
        // One bulk write: the ObjectId twin still matches its guard, the string twin does not.
        const result = await both.port.applyImageUpdates([
          { id: hex, idType: 'objectId', from: 'ami-0000000000000a001', to: 'ami-0000000000000b001' },
          { id: hex, idType: 'string', from: 'ami-0000000000000a001', to: 'ami-0000000000000b001' },
        ]);
        expect(result).toEqual({ applied: [`objectId:${hex}`], conflicts: [`string:${hex}`] });
        expect(Object.fromEntries(await images())).toEqual({
          [`objectId:${hex}`]: 'ami-0000000000000b001',
          [`string:${hex}`]: 'ami-0000000000000a002',
        });
      });
    } else {
      it('the server itself refuses a string _id with the same hex as an ObjectId one (FerretDB 1.x: E11000)', async () => {
        await expect(open(TWIN_SEED)).rejects.toThrow(/duplicate key/i);
      });
    }
  });
}
