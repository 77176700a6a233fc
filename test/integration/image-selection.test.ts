import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMongoTierUsers } from '../../src/adapters/mongo/tier-users.js';
import { createRegistryClient } from '../../src/adapters/registry/registry-client.js';
import { configSchema } from '../../src/config-schema.js';
import { suggestImages } from '../../src/selection/suggest-images.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { plainText } from '../../src/shared/text.js';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { createFakeEc2 } from '../support/fake-ec2.js';
import { useTestDatabase } from '../support/mongo.js';
import { layerBlob, startTestRegistry, type TestRegistry } from '../support/registry.js';

/**
 * The whole suggestion on real peers: images with known shared layers on the CNCF distribution registry (token
 * auth), Domino's runs on FerretDB, and the optimum worked out by hand below.
 *
 * Layers (KiB): os 4 and py 2 (the base image), a 1, b 3, c 5. A = base + a, B = base + b, C = c alone, D = base +
 * a + d (8 KiB of its own). Runs in the 14-day window on standard tiers: A 70, B 28, C 42, D 14; 500 runs of a GPU
 * image on the pinned tier do not count. Budget 10 KiB: the base takes 6, leaving 4: A (1) + B (3) fits exactly,
 * C (5) and D (8) do not. At 1 KiB/s, seconds per week = KiB × runs per week (runs ÷ 2):
 *   os + py: 6 × (35 + 14 + 7) = 336 (D's runs use the base layers too, though D is left out)
 *   a: 1 × (35 + 7) = 42 (D has a as well)
 *   b: 3 × 14 = 42
 * total 420 s/week, 10 KiB. The alternatives: base + C is over budget (11 KiB), base + A alone saves 378 s.
 */
const KIB = 1024;
/** The budget is configured here (diskBudgetGiB): EC2 is never asked for the template's root volume. */
const NO_EC2 = createFakeEc2();
const LOGIN = { username: 'ami-bot', password: 'token-pull-9c1e' };
const now = new Date('2026-11-28T10:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
const db = useTestDatabase('imgsel');
let registry: TestRegistry;
let refs: Record<'base' | 'a' | 'b' | 'c' | 'd' | 'gpu', string>;

beforeAll(async () => {
  registry = await startTestRegistry({ auth: 'token', users: [LOGIN] });
  const os = layerBlob('os', 4 * KIB);
  const py = layerBlob('py', 2 * KIB);
  const a = layerBlob('a', KIB);
  const push = async (
    repository: string,
    layers: ReturnType<typeof layerBlob>[],
    format: 'docker' | 'oci' = 'docker',
  ) => (await registry.pushImage(repository, '1', layers, { format })).ref;
  const amd = await registry.pushImage('team/b', 'amd64', [os, py, layerBlob('b', 3 * KIB)], { format: 'oci' });
  const arm = await registry.pushImage('team/b', 'arm64', [layerBlob('b-arm', 9 * KIB)], {
    format: 'oci',
    architecture: 'arm64',
  });
  refs = {
    base: await push('domino/base', [os, py]),
    a: await push('team/a', [os, py, a]),
    // B is multi-platform: its index resolves to the amd64 image.
    b: (
      await registry.pushIndex('team/b', '1', [
        { image: arm, os: 'linux', architecture: 'arm64' },
        { image: amd, os: 'linux', architecture: 'amd64' },
      ])
    ).ref,
    c: await push('team/c', [layerBlob('c', 5 * KIB)], 'oci'),
    d: await push('team/d', [os, py, a, layerBlob('d', 8 * KIB)]),
    gpu: await push('team/gpu', [layerBlob('gpu', KIB)]),
  };
  const runs: Array<Record<string, unknown>> = [];
  const add = (image: string, count: number, tier: string, users: number, days = 3) => {
    for (let i = 0; i < count; i++) {
      runs.push({
        environmentImage: image,
        hardwareTierId: tier,
        starterEmail: `u${i % users}@acme.example`,
        submissionTime: daysAgo(days),
      });
    }
  };
  add(refs.a, 70, 'small', 5);
  add(refs.b, 28, 'small', 3);
  add(refs.c, 42, 'large', 2);
  add(refs.d, 14, 'large', 1);
  add(refs.gpu, 500, 'gpu', 9);
  // Outside the window: would make C the winner if counted.
  add(refs.c, 300, 'large', 4, 20);
  await db.db.collection('runs').insertMany(runs);
}, 120_000);

afterAll(async () => {
  await registry?.stop();
});

function deployment() {
  return configSchema.parse({
    slack: { botToken: 'xoxb-test' },
    mongo: {},
    opsChannels: ['C0OPS00001'],
    admins: ['U0ADMIN01'],
    deployments: [
      {
        name: 'acme',
        images: ['quay.io/acme/configured:1'],
        pinnedTiers: ['gpu'],
        imageSelection: { baseImages: [refs.base], diskBudgetGiB: 10 / 1024 ** 2, bandwidthMBps: 0.001024 },
      },
    ],
  }).deployments[0]!;
}

const usage = () =>
  createMongoTierUsers({
    db: db.db,
    clock: createManualClock(now),
    collection: 'runs',
    tierField: 'hardwareTierId',
    emailField: 'starterEmail',
    timeField: 'submissionTime',
    lookbackDays: 90,
    environmentField: 'environmentId',
    imageField: 'environmentImage',
  });

describe('image selection on the distribution registry and FerretDB', () => {
  it('chooses the hand-computed optimum: base + A + B, 10 KiB, 420 s of pulling saved per week', async () => {
    const client = createRegistryClient({ registries: [{ host: registry.host, insecure: true, ...LOGIN }] });
    const outcome = await suggestImages(
      { registry: client, usage: usage(), ec2: NO_EC2, logger: createSilentLogger() },
      deployment(),
    );
    if (outcome.kind !== 'suggested') throw new Error(`fell back: ${plainText(outcome.reason)}`);
    const s = outcome.suggestion;
    expect(s.budgetBytes).toBe(10 * KIB);
    expect(s.chosen.map((c) => [c.ref, c.marginalBytes / KIB, c.runs, c.users])).toEqual([
      [refs.base, 6, 0, 0],
      [refs.a, 1, 70, 5],
      [refs.b, 3, 28, 3],
    ]);
    expect(s.totalBytes).toBe(10 * KIB);
    expect(s.secondsSavedPerWeek).toBeCloseTo(420, 9);
    expect(s.chosen.map((c) => c.marginalSecondsPerWeek)).toEqual([336, 42, 42].map((x) => expect.closeTo(x, 9)));
    expect(s.totalRuns).toBe(70 + 28 + 42 + 14);
    expect(s.leftOut.map((l) => [l.ref, l.reason, (l.marginalBytes ?? 0) / KIB])).toEqual([
      [refs.c, 'over_budget', 5],
      [refs.d, 'over_budget', 8],
    ]);
  });

  it('falls back to the configured list with a clear message when the registry is down', async () => {
    const down = await startTestRegistry();
    const host = down.host;
    await down.stop();
    const client = createRegistryClient({ registries: [{ host, insecure: true }], timeoutMs: 2_000 });
    const d = deployment();
    const outcome = await suggestImages(
      { registry: client, usage: usage(), ec2: NO_EC2, logger: createSilentLogger() },
      { ...d, imageSelection: { ...d.imageSelection, baseImages: [`${host}/domino/base:1`] } },
    );
    if (outcome.kind !== 'fallback') throw new Error('expected a fallback');
    expect(outcome.code).toBe('registry_unreachable');
    expect(outcome.images).toEqual(['quay.io/acme/configured:1']);
    const message = plainText(outcome.reason);
    expect(message).toContain(`Cannot reach the registry \`${host}\` (ECONNREFUSED)`);
    expect(message).toContain("needs every image's layers");
  });
});
