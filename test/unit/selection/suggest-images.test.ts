import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config-schema.js';
import { AppError } from '../../../src/errors.js';
import type { ImageUsage, TierUsersPort } from '../../../src/ports/domino.js';
import { suggestImages } from '../../../src/selection/suggest-images.js';
import { createLogger } from '../../../src/shared/logger.js';
import { plainText } from '../../../src/shared/text.js';
import { createDockerRegistry } from '../../../src/sim/docker-registry.js';
import { createManualClock, createSimulator } from '../../../src/sim/index.js';
import { createSimRegistry } from '../../../src/sim/sim-registry.js';
import { createFakeEc2 } from '../../support/fake-ec2.js';

const MIB = 1024 * 1024;
const HOST = 'reg.example';
const logger = createLogger({ level: 'silent' });
/** These deployments configure diskBudgetGiB: EC2 is never asked for the template's root volume. */
const NO_EC2 = createFakeEc2();

const config = configSchema.parse({
  slack: { botToken: 'xoxb-test' },
  mongo: {},
  opsChannels: ['C0OPS00001'],
  admins: ['U0ADMIN01'],
  deployments: [
    {
      name: 'prod',
      images: ['reg.example/configured/default:1'],
      pinnedTiers: ['gpu'],
      imageSelection: {
        baseImages: [`${HOST}/domino/base:5`],
        diskBudgetGiB: 1,
        // 1 MiB/s, so seconds saved per week = MiB × runs per week.
        bandwidthMBps: 1.048576,
      },
    },
  ],
});
const deployment = config.deployments[0]!;

/** Base = os + py (600 MiB); A and B are built on it; C is on another stack; GPU runs only on a pinned tier. */
function world() {
  const registry = createDockerRegistry();
  const layer = (id: string, mib: number) => ({ id: id.padEnd(64, '0'), bytes: mib * MIB });
  const os = layer('a0', 400);
  const py = layer('b0', 200);
  registry.put(`${HOST}/domino/base:5`, [os, py]);
  registry.put(`${HOST}/team/a:1`, [os, py, layer('c1', 100)]);
  registry.put(`${HOST}/team/b:1`, [os, py, layer('c2', 300)]);
  registry.put(`${HOST}/team/c:1`, [layer('c3', 500)]);
  registry.put(`${HOST}/team/gpu:1`, [layer('c4', 50)]);
  const port = createSimRegistry(registry, { strict: true });
  // 14 days of runs: A 70 (35/week), B 28 (14/week), C 42 (21/week); E is not on the registry.
  const usage: ImageUsage[] = [
    { image: `${HOST}/team/a:1`, runs: 70, users: 5, tiers: [{ tier: 'small', runs: 70, users: 5 }] },
    {
      image: `${HOST}/team/b:1`,
      runs: 30,
      users: 3,
      tiers: [
        { tier: 'small', runs: 28, users: 3 },
        { tier: 'gpu', runs: 2, users: 1 },
      ],
    },
    { image: `${HOST}/team/c:1`, runs: 42, users: 2, tiers: [{ tier: 'large', runs: 42, users: 2 }] },
    { image: `${HOST}/team/gpu:1`, runs: 500, users: 9, tiers: [{ tier: 'gpu', runs: 500, users: 9 }] },
    { image: `${HOST}/team/e:1`, runs: 7, users: 1, tiers: [{ tier: 'small', runs: 7, users: 1 }] },
  ];
  const windows: number[] = [];
  const tierUsers: TierUsersPort = {
    usersByTier: async () => new Map(),
    imageUsage: async (days) => {
      windows.push(days);
      return usage;
    },
  };
  return { port, tierUsers, windows };
}

describe('suggestImages', () => {
  it('chooses the base, then A (35 runs/week per 100 MiB) and B (400 MiB of the 424 left); C needs 500 MiB; pinned-tier runs do not count', async () => {
    const w = world();
    const outcome = await suggestImages({ registry: w.port, usage: w.tierUsers, ec2: NO_EC2, logger }, deployment, {
      imageId: 'ami-0123456789abcdef0',
      images: [`${HOST}/domino/base:5`, `${HOST}/team/c:1`, 'old/image:1'],
    });
    expect(w.windows).toEqual([14]);
    if (outcome.kind !== 'suggested') throw new Error(`fell back: ${plainText(outcome.reason)}`);
    const s = outcome.suggestion;
    expect(s.budgetBytes).toBe(1024 * MIB);
    expect(s.chosen.map((c) => [c.ref, c.base, c.marginalBytes / MIB, c.runs])).toEqual([
      [`${HOST}/domino/base:5`, true, 600, 0],
      [`${HOST}/team/a:1`, false, 100, 70],
      [`${HOST}/team/b:1`, false, 300, 28],
    ]);
    expect(s.totalBytes).toBe(1000 * MIB);
    // B's runs on the pinned GPU tier are not counted, nor listed.
    expect(s.chosen[2]!.tiers).toEqual([{ tier: 'small', runs: 28, users: 3 }]);
    // Per week: base layers 600 × (35 + 14) = 29 400, A's own 100 × 35 = 3 500, B's own 300 × 14 = 4 200.
    expect(s.secondsSavedPerWeek).toBeCloseTo(29_400 + 3_500 + 4_200, 6);
    expect(s.chosen[0]!.marginalSecondsPerWeek).toBeCloseTo(29_400, 6);
    // Shares: A's 70 of the 147 runs on standard tiers (70 + 28 + 42 + 7); base 600 MiB of the 1024 MiB budget.
    expect(s.totalRuns).toBe(147);
    expect(s.chosen[1]!.runShare).toBeCloseTo(70 / 147, 9);
    expect(s.chosen[0]!.diskShare).toBeCloseTo(600 / 1024, 9);
    expect(
      s.leftOut.map((l) => [l.ref, l.reason, l.marginalBytes === undefined ? undefined : l.marginalBytes / MIB]),
    ).toEqual([
      [`${HOST}/team/c:1`, 'over_budget', 500],
      [`${HOST}/team/e:1`, 'not_readable', undefined],
    ]);
    expect(plainText(s.leftOut[1]!.detail!)).toContain('has no image');
    expect(s.diff).toEqual({
      currentImageId: 'ami-0123456789abcdef0',
      added: [`${HOST}/team/a:1`, `${HOST}/team/b:1`],
      removed: [`${HOST}/team/c:1`, 'old/image:1'],
      kept: [`${HOST}/domino/base:5`],
    });
  });

  it('falls back to the configured list, saying why, when the registry cannot be reached', async () => {
    const w = world();
    w.port.setReachable(HOST, false);
    const outcome = await suggestImages({ registry: w.port, usage: w.tierUsers, ec2: NO_EC2, logger }, deployment);
    expect(outcome.kind).toBe('fallback');
    if (outcome.kind !== 'fallback') throw new Error('expected a fallback');
    expect(outcome.code).toBe('registry_unreachable');
    expect(outcome.images).toEqual(['reg.example/configured/default:1']);
    expect(plainText(outcome.reason)).toContain('Cannot reach the registry');
  });

  it('sizes the budget from the template’s root volume when none is configured (half of 2 GiB: the same choice)', async () => {
    const w = world();
    const { diskBudgetGiB: _, ...selection } = deployment.imageSelection;
    const fromTemplate = { ...deployment, imageSelection: selection };
    const ec2 = createSimulator({ clock: createManualClock(), write: () => {} }).ec2;
    const outcomeWithout = await suggestImages({ registry: w.port, usage: w.tierUsers, ec2, logger }, fromTemplate);
    // The simulator's template is acme's, not prod's: no budget, no manifest read, the configured list.
    expect(outcomeWithout).toMatchObject({ kind: 'fallback', code: 'template_not_found' });
    expect(w.port.reads()).toBe(0);
    const template = createFakeEc2();
    template.addInstance('i-0prodtemplate0001', { Name: 'prod-executor-template' }, 'ami-0123456789abcdef0', 'stopped');
    const reader = {
      findInstancesByNamePattern: async (pattern: string) =>
        pattern === '*prod*executor-template*' ? [(await template.describeInstance('i-0prodtemplate0001'))!] : [],
      describeRootVolume: async () => ({ deviceName: '/dev/xvda', volumeId: 'vol-0abc', sizeGiB: 2 }),
    };
    const outcome = await suggestImages({ registry: w.port, usage: w.tierUsers, ec2: reader, logger }, fromTemplate);
    if (outcome.kind !== 'suggested') throw new Error(`fell back: ${plainText(outcome.reason)}`);
    expect(outcome.suggestion.budgetBytes).toBe(1024 * MIB);
    expect(outcome.suggestion.budgetSource).toEqual({
      kind: 'template-root-volume',
      rootVolumeGiB: 2,
      share: 0.5,
      instanceId: 'i-0prodtemplate0001',
      instanceName: 'prod-executor-template',
    });
    expect(outcome.suggestion.chosen.map((c) => c.ref)).toEqual([
      `${HOST}/domino/base:5`,
      `${HOST}/team/a:1`,
      `${HOST}/team/b:1`,
    ]);
  });

  it('counts only the runs on the tiers the AMI serves, when told which', async () => {
    const w = world();
    const served = async () => ({ tierIds: ['small'], labels: ['Small'] });
    const outcome = await suggestImages(
      { registry: w.port, usage: w.tierUsers, ec2: NO_EC2, servedTiers: served, logger },
      deployment,
    );
    if (outcome.kind !== 'suggested') throw new Error(`fell back: ${plainText(outcome.reason)}`);
    const s = outcome.suggestion;
    // C ran only on `large`: not a candidate at all. B's 28 runs on small count, E's 7 too (unreadable).
    expect(s.totalRuns).toBe(70 + 28 + 7);
    expect([...s.chosen, ...s.leftOut].map((c) => c.ref)).not.toContain(`${HOST}/team/c:1`);
    expect(s.chosen.map((c) => c.ref)).toEqual([`${HOST}/domino/base:5`, `${HOST}/team/a:1`, `${HOST}/team/b:1`]);
    expect(s.usageScope).toEqual({ kind: 'served', tiers: ['Small'] });
    // Each image's tiers carry the names Domino shows.
    expect(s.chosen[1]!.tiers).toEqual([{ tier: 'small', runs: 70, users: 5, label: 'Small' }]);
  });

  it('counts every tier but the pinned ones, saying why, when the served tiers cannot be read', async () => {
    const w = world();
    const down = async () => {
      throw new AppError('domino_tiers_unreachable', 'Cannot read the hardware tiers from Domino.');
    };
    const outcome = await suggestImages(
      { registry: w.port, usage: w.tierUsers, ec2: NO_EC2, servedTiers: down, logger },
      deployment,
    );
    if (outcome.kind !== 'suggested') throw new Error(`fell back: ${plainText(outcome.reason)}`);
    expect(outcome.suggestion.totalRuns).toBe(147);
    expect(outcome.suggestion.usageScope).toMatchObject({ kind: 'all-but-pinned' });
    const scope = outcome.suggestion.usageScope;
    expect(scope?.kind === 'all-but-pinned' && plainText(scope.reason!)).toBe(
      'Cannot read the hardware tiers from Domino.',
    );
  });

  it('falls back when no usage source is configured, naming the setting', async () => {
    const w = world();
    const outcome = await suggestImages(
      { registry: w.port, usage: { usersByTier: async () => new Map() }, ec2: NO_EC2, logger },
      deployment,
    );
    expect(outcome.kind === 'fallback' && plainText(outcome.reason)).toContain('imageField');
  });

  it('reads at most as many images as a bake takes (50, base images included)', async () => {
    const registry = createDockerRegistry();
    const port = createSimRegistry(registry);
    const usage: ImageUsage[] = Array.from({ length: 80 }, (_, i) => ({
      image: `${HOST}/team/env-${i}:1`,
      runs: 100 - i,
      users: 1,
      tiers: [{ tier: 'small', runs: 100 - i, users: 1 }],
    }));
    const wide = {
      ...deployment,
      imageSelection: { ...deployment.imageSelection, maxCandidates: 200, diskBudgetGiB: 1_000 },
    };
    const outcome = await suggestImages(
      {
        registry: port,
        usage: { usersByTier: async () => new Map(), imageUsage: async () => usage },
        ec2: NO_EC2,
        logger,
      },
      wide,
    );
    if (outcome.kind !== 'suggested') throw new Error('expected a suggestion');
    expect(port.reads()).toBe(50);
    expect(outcome.suggestion.chosen).toHaveLength(50);
    expect(outcome.suggestion.chosen[0]!.ref).toBe(`${HOST}/domino/base:5`);
    expect(outcome.suggestion.method).toBe('greedy');
  });
});
