import { afterEach, describe, expect, it } from 'vitest';
import { createMongoTierUsers } from '../../src/adapters/mongo/tier-users.js';
import { createRegistryClient } from '../../src/adapters/registry/registry-client.js';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { type Harness, startHarness } from '../support/bot-harness.js';
import { useTestDatabase } from '../support/mongo.js';
import { layerBlob, startTestRegistry, type TestRegistry } from '../support/registry.js';
import { driveUntil } from '../support/time-driver.js';

const KIB = 1024;
const LOGIN = { username: 'ami-bot', password: 'basic-pull-4d2b' };
const db = useTestDatabase('autobake');
let h: Harness | undefined;
let registry: TestRegistry | undefined;
afterEach(async () => {
  await h?.close();
  await registry?.stop();
  h = undefined;
  registry = undefined;
});

async function bakeAfter(harness: Harness, previous: string | undefined, timeoutMs = 15_000): Promise<BakeRecord> {
  return driveUntil(
    'the next bake to end',
    async () => {
      const [bake] = await harness.store.bakes.listRecent(1);
      return bake && bake._id !== previous && ['succeeded', 'failed', 'cancelled'].includes(bake.status)
        ? bake
        : undefined;
    },
    { realLimitMs: timeoutMs },
  );
}

const pulledRefs = (harness: Harness, since: number) =>
  harness.world.commands
    .slice(since)
    .flatMap((command) => command.commands)
    .flatMap((line) => [...line.matchAll(/docker pull '?([^'\s]+)'?/g)].map((m) => m[1]!));

describe('/ami bake --images auto on the distribution registry and FerretDB', () => {
  it('bakes exactly the chosen images, then falls back to the configured list once the registry is down', async () => {
    registry = await startTestRegistry({ auth: 'htpasswd', users: [LOGIN] });
    const os = layerBlob('os', 4 * KIB);
    const base = (await registry.pushImage('domino/base', '1', [os])).ref;
    const a = (await registry.pushImage('team/a', '1', [os, layerBlob('a', 2 * KIB)])).ref;
    const big = (await registry.pushImage('team/big', '1', [layerBlob('big', 9 * KIB)], { format: 'oci' })).ref;
    // Budget 8 KiB: base (4) + A (2) fit, big (9) does not, though it runs more than A.
    const now = new Date();
    const at = new Date(now.getTime() - 86_400_000);
    await db.db
      .collection('runs')
      .insertMany([
        ...Array.from({ length: 10 }, (_, i) => ({ image: a, tier: 'small', email: `u${i}@acme.example`, at })),
        ...Array.from({ length: 30 }, (_, i) => ({ image: big, tier: 'small', email: `u${i}@acme.example`, at })),
      ]);
    const tierUsers = createMongoTierUsers({
      db: db.db,
      clock: createManualClock(now),
      collection: 'runs',
      tierField: 'tier',
      emailField: 'email',
      timeField: 'at',
      lookbackDays: 90,
      environmentField: 'environmentId',
      imageField: 'image',
    });
    const host = registry.host;
    h = await startHarness({
      registry: createRegistryClient({ registries: [{ host, insecure: true, ...LOGIN }], timeoutMs: 2_000 }),
      tierUsers,
      tweak: (config) => {
        config.deployments[0]!.imageSelection = {
          ...config.deployments[0]!.imageSelection,
          baseImages: [base],
          diskBudgetGiB: 8 / 1024 ** 2,
        };
      },
    });
    await h.slash('bake --images auto', { responseId: 'real1' });
    expect(await h.answer('real1')).toContain('Baking 2 suggested image(s)');
    const first = await bakeAfter(h, undefined);
    expect(first.status).toBe('succeeded');
    expect(first.images).toEqual([base, a]);
    expect(pulledRefs(h, 0).sort()).toEqual([base, a].sort());

    const commandsBefore = h.world.commands.length;
    await registry.stop();
    registry = undefined;
    await h.slash('bake --images auto', { responseId: 'real2' });
    const answer = await h.answer('real2');
    expect(answer).toContain('No image suggestion');
    expect(answer).toContain(`Cannot reach the registry`);
    const second = await bakeAfter(h, first._id);
    expect(second.images).toEqual(h.config.deployments[0]!.images);
    expect(pulledRefs(h, commandsBefore).sort()).toEqual([...h.config.deployments[0]!.images].sort());
  });
});
