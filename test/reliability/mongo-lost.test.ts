import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { BAKE_ID_TAG } from '../../src/bake/image-tags.js';
import { type Harness, startHarness } from '../support/bot-harness.js';
import { type FerretDbServer, startFerretDb } from '../support/ferretdb.js';

async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

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
    h = await startHarness({
      mongoUri: server.uri,
      // Queries fail fast while the server is down (instead of waiting out the outage), so checkpoints do fail.
      serverSelectionTimeoutMS: 300,
      speed: 800,
      tweak: (config) => {
        config.bake.leaseSeconds = 120;
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
    await h.slash('bake', { responseId: 'start' });
    const started = await until(async () => {
      const [bake] = await h.store.bakes.listRecent(1);
      return bake?.steps.pull?.state === 'running' ? bake : undefined;
    });

    server.kill();
    await server.exited;
    // Several times the selection timeout: checkpoints fail while the simulated AWS work carries on.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    server = await server.restart();

    const bake = await until<BakeRecord>(async () => {
      const current = await h.store.bakes.get(started._id);
      return current && ['succeeded', 'failed', 'cancelled'].includes(current.status) ? current : undefined;
    }, 60_000);
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
