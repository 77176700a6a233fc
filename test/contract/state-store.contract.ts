import { beforeEach, describe, expect, it } from 'vitest';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { newStepTable } from '../../src/bake/bake-steps.js';
import type { StateStore } from '../../src/ports/state-store.js';

const t0 = new Date('2026-11-28T10:00:00Z');
const later = (ms: number) => new Date(t0.getTime() + ms);

let counter = 0;
export function sampleBake(overrides: Partial<BakeRecord> = {}): BakeRecord {
  counter++;
  return {
    _id: `bake-20261128-${String(counter).padStart(4, '0')}`,
    deployment: 'acme',
    requester: 'U0ADMIN1',
    channel: 'C0OPS1',
    images: ['quay.io/domino/base:1'],
    noReboot: false,
    status: 'running',
    steps: newStepTable(),
    facts: {},
    createdAt: later(counter * 1000),
    updatedAt: t0,
    ...overrides,
  };
}

/** One behaviour for every StateStore: the MongoDB store (on FerretDB) and the in-memory one. */
export function stateStoreContract(name: string, open: () => Promise<StateStore>): void {
  describe(`StateStore contract: ${name}`, () => {
    let store: StateStore;
    beforeEach(async () => {
      store = await open();
    });

    it('inserts, reads back with Dates intact, and lists newest first', async () => {
      const a = sampleBake();
      const b = sampleBake({ deployment: 'other' });
      await store.bakes.insert(a);
      await store.bakes.insert(b);
      const got = await store.bakes.get(a._id);
      expect(got?.createdAt).toBeInstanceOf(Date);
      expect(got?.createdAt.getTime()).toBe(a.createdAt.getTime());
      const recent = await store.bakes.listRecent(10);
      expect(recent.map((bake) => bake._id).slice(0, 2)).toEqual([b._id, a._id]);
      expect((await store.bakes.listRecent(10, 'other')).map((bake) => bake._id)).toEqual([b._id]);
      expect(await store.bakes.get('bake-20261128-none')).toBeUndefined();
      await expect(store.bakes.insert(a)).rejects.toThrow();
    });

    it('lets one owner hold a lease; another may take it only after it expires', async () => {
      const bake = sampleBake();
      await store.bakes.insert(bake);
      expect(await store.bakes.listClaimable(t0)).toContain(bake._id);
      expect(await store.bakes.claim(bake._id, 'p1', t0, later(60_000))).toBeDefined();
      expect(await store.bakes.claim(bake._id, 'p2', later(1_000), later(61_000))).toBeUndefined();
      expect(await store.bakes.listClaimable(later(1_000))).not.toContain(bake._id);
      expect(await store.bakes.claim(bake._id, 'p1', later(1_000), later(61_000))).toBeDefined();
      expect(await store.bakes.listClaimable(later(62_000))).toContain(bake._id);
      expect(await store.bakes.claim(bake._id, 'p2', later(62_000), later(122_000))).toBeDefined();
      expect(await store.bakes.renew(bake._id, 'p1', later(200_000))).toBe(false);
      expect(await store.bakes.checkpoint(bake._id, 'p1', { facts: { imageId: 'ami-stale' } })).toBe(false);
      expect(
        await store.bakes.checkpoint(bake._id, 'p2', {
          facts: { instanceId: 'i-0123456789abcdef0' },
          command: { key: 'inventory', id: 'cmd-1' },
          steps: { snap: { state: 'running', startedAt: t0 } },
        }),
      ).toBe(true);
      expect(
        await store.bakes.checkpoint(bake._id, 'p2', {
          facts: { imageId: 'ami-1' },
          command: { key: 'pull-0-a1', id: 'cmd-2' },
          steps: { snap: { state: 'done' } },
        }),
      ).toBe(true);
      const saved = await store.bakes.get(bake._id);
      expect(saved?.facts.imageId).toBe('ami-1');
      expect(saved?.steps.snap?.state).toBe('done');
      // A checkpoint replaces only what it names: the step's other fields and the other facts stay.
      expect(saved?.steps.snap?.startedAt).toEqual(t0);
      expect(saved?.steps.pull?.state).toBe('pending');
      expect(saved?.facts.commands).toEqual({ inventory: 'cmd-1', 'pull-0-a1': 'cmd-2' });
      expect(saved?.facts.instanceId).toBe('i-0123456789abcdef0');
      await store.bakes.release(bake._id, 'p2');
      expect(await store.bakes.listClaimable(later(62_000))).toContain(bake._id);
    });

    it('20 runners claiming one free bake at once: exactly one gets it, and each epoch has one owner', async () => {
      const bake = sampleBake();
      await store.bakes.insert(bake);
      const first = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.bakes.claim(bake._id, `r${i}`, t0, later(60_000))),
      );
      expect(first.filter((claimed) => claimed !== undefined)).toHaveLength(1);
      const again = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.bakes.claim(bake._id, `s${i}`, later(61_000), later(120_000))),
      );
      const winners = again.filter((claimed) => claimed !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]?.lease?.owner).toMatch(/^s\d+$/);
    });

    it('concurrent cancel requests: the first one is kept', async () => {
      const bake = sampleBake();
      await store.bakes.insert(bake);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.bakes.requestCancel(bake._id, `U${i}`, later(i))),
      );
      const by = new Set(results.map((result) => result?.cancelRequested?.by));
      expect(by.size).toBe(1);
      expect((await store.bakes.get(bake._id))?.cancelRequested?.by).toBe([...by][0]);
    });

    it('never hands out a finished bake', async () => {
      const bake = sampleBake({ status: 'succeeded' });
      await store.bakes.insert(bake);
      expect(await store.bakes.claim(bake._id, 'p1', t0, later(1))).toBeUndefined();
      expect(await store.bakes.listClaimable(t0)).not.toContain(bake._id);
    });

    it('records the first cancel request only, and none on a finished bake', async () => {
      const bake = sampleBake();
      await store.bakes.insert(bake);
      expect((await store.bakes.requestCancel(bake._id, 'U1', t0))?.cancelRequested?.by).toBe('U1');
      expect((await store.bakes.requestCancel(bake._id, 'U2', later(1)))?.cancelRequested?.by).toBe('U1');
      const done = sampleBake({ status: 'failed' });
      await store.bakes.insert(done);
      expect((await store.bakes.requestCancel(done._id, 'U1', t0))?.cancelRequested).toBeUndefined();
      expect(await store.bakes.requestCancel('bake-20261128-zzzz', 'U1', t0)).toBeUndefined();
    });

    it('locks: one holder at a time, re-entrant, released only by its holder', async () => {
      const key = `bake:${Math.random()}`;
      expect(await store.locks.acquire(key, 'b1', t0)).toBeUndefined();
      expect(await store.locks.acquire(key, 'b1', t0)).toBeUndefined();
      expect(await store.locks.acquire(key, 'b2', t0)).toBe('b1');
      await store.locks.release(key, 'b2');
      expect(await store.locks.holderOf(key)).toBe('b1');
      expect(await store.locks.describe(key)).toEqual({ holder: 'b1', at: t0 });
      await store.locks.release(key, 'b1');
      expect(await store.locks.acquire(key, 'b2', t0)).toBeUndefined();
    });

    it('20 concurrent acquirers: exactly one wins', async () => {
      const key = `bake:${Math.random()}`;
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.locks.acquire(key, `b${i}`, t0)));
      expect(results.filter((holder) => holder === undefined)).toHaveLength(1);
    });

    it('deliveries: 20 concurrent claims of one key, exactly one wins; a swept key can be taken again', async () => {
      const key = `trigger:${Math.random().toString(36).slice(2)}`;
      const wins = await Promise.all(Array.from({ length: 20 }, () => store.deliveries.claim(key, t0)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(await store.deliveries.claim(key, later(1_000))).toBe(false);
      const fresh = `event:${Math.random().toString(36).slice(2)}`;
      expect(await store.deliveries.claim(fresh, later(3_600_000))).toBe(true);
      expect(await store.deliveries.sweep(later(60_000))).toBeGreaterThanOrEqual(1);
      expect(await store.deliveries.claim(key, later(3_600_000))).toBe(true);
      expect(await store.deliveries.claim(fresh, later(3_600_001))).toBe(false);
    });

    it('answers ping', async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}
