import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { BAKE_ID_TAG } from '../../src/bake/image-tags.js';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { type Harness, startHarness } from '../support/bot-harness.js';
import { type FerretDbServer, startFerretDb } from '../support/ferretdb.js';
import { createInFlight, trackStore } from '../support/in-flight.js';

const SECOND = 1_000;
const LEASE_MS = 120 * SECOND;

describe('MongoDB lost in the middle of a bake', () => {
  let server: FerretDbServer;
  let h: Harness;
  beforeAll(async () => {
    server = await startFerretDb();
  });
  afterAll(async () => {
    await h?.close().catch(() => undefined);
    await server?.stop();
  });

  it('the bot pauses, recovers when the server is back, and finishes with one AMI and one highstate', async () => {
    // The bot's time is a manual clock; only the database and Slack calls take real time, and time moves on
    // once those the last wake-up started have answered (or failed).
    const clock = createManualClock(new Date('2026-10-01T09:00:00Z'));
    h = await startHarness({
      mongoUri: server.uri,
      // Queries fail fast while the server is down (instead of waiting out the outage), so checkpoints do fail.
      serverSelectionTimeoutMS: 300,
      clock,
      tweak: (config) => {
        config.bake.leaseSeconds = LEASE_MS / SECOND;
      },
    });
    let failedSaves = 0;
    const checkpoint = h.store.bakes.checkpoint.bind(h.store.bakes);
    h.store.bakes.checkpoint = async (...args) => {
      try {
        return await checkpoint(...args);
      } catch (error) {
        failedSaves++;
        throw error;
      }
    };
    const inFlight = createInFlight();
    trackStore(inFlight, h.store);
    inFlight.track(h.bot.chat);
    /** Moves the bot's time on 10 s at a time until `check` holds (within `limitMs` of virtual time). */
    const until = async <T>(check: () => Promise<T | undefined>, limitMs = 4 * 3_600 * SECOND): Promise<T> => {
      for (let waited = 0; ; waited += 10 * SECOND) {
        const value = await check().catch(() => undefined);
        if (value !== undefined) return value;
        if (waited > limitMs) throw new Error(`timed out after ${waited / SECOND} s of virtual time`);
        await clock.advance(10 * SECOND, inFlight.settle);
      }
    };

    await h.slash('bake', { responseId: 'start' });
    const started = await until(async () => {
      const [bake] = await h.store.bakes.listRecent(1);
      return bake?.steps.pull?.state === 'running' ? bake : undefined;
    });

    server.kill();
    await server.exited;
    // Checkpoints fail while the simulated AWS work carries on; the server stays down past the bake's lease,
    // so the bot resumes by claiming the bake again.
    await until(async () => (failedSaves > 0 ? true : undefined));
    await clock.advance(LEASE_MS, inFlight.settle);
    server = await server.restart();

    const bake = await until<BakeRecord>(async () => {
      const current = await h.store.bakes.get(started._id);
      return current && ['succeeded', 'failed', 'cancelled'].includes(current.status) ? current : undefined;
    });
    await h.bot.runner.idle();
    expect(failedSaves).toBeGreaterThan(0);
    expect(bake.status, JSON.stringify(bake.error)).toBe('succeeded');
    const ours = [...h.world.images.values()].filter((image) => image.tags[BAKE_ID_TAG] === bake._id);
    expect(ours).toHaveLength(1);
    const scripts = h.world.commands.map((command) => command.commands.join('\n'));
    expect(scripts.filter((script) => script.includes('state.highstate'))).toHaveLength(1);
    // Each image pulled once per attempt key: nothing re-sent because of the outage.
    const pulls = scripts.filter((script) => script.includes('docker pull'));
    expect(pulls).toHaveLength(new Set(pulls).size);
    const template = [...h.world.instances.values()].find((i) => i.tags.Name?.includes('executor-template'));
    expect(template?.state).toBe('stopped');
  }, 90_000);
});
