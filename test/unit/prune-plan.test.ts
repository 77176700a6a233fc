import { describe, expect, it } from 'vitest';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { configSchema } from '../../src/config-schema.js';
import { buildInventory, monthlyCostEstimate, orphanReason } from '../../src/lifecycle/ami-inventory.js';
import { collectReferences } from '../../src/lifecycle/ami-references.js';
import { planPrune, reclaimedGiB } from '../../src/lifecycle/prune-plan.js';
import type { LifecycleImageInfo, SnapshotInfo } from '../../src/ports/ec2.js';
import type { ChangeRecord } from '../../src/rollout/change-record.js';
import { launchTemplateGuard, nodegroupKey } from '../../src/rollout/targets/eks-node-groups.js';
import { tierTarget } from '../../src/rollout/targets/hardware-tiers.js';

const NOW = new Date('2027-01-01T00:00:00Z');
const DAY = 86_400_000;
const retention = (over: Record<string, unknown> = {}) =>
  configSchema.parse({
    slack: { botToken: 'xoxb-test' },
    mongo: {},
    opsChannels: ['C0OPS00001'],
    admins: ['U0ADMIN01'],
    deployments: [{ name: 'acme', retention: over }],
  }).deployments[0]!.retention;

function image(n: number, ageDays: number, over: Partial<LifecycleImageInfo> = {}): LifecycleImageInfo {
  const id = `ami-${String(n).padStart(4, '0')}`;
  return {
    id,
    name: `domino-acme-executor-${n}`,
    state: 'available',
    creationDate: new Date(NOW.getTime() - ageDays * DAY),
    tags: { 'ami-bot:bake-id': `bake-${n}` },
    snapshotIds: [`snap-${n}a`, `snap-${n}b`],
    volumes: [
      { snapshotId: `snap-${n}a`, sizeGiB: 50 },
      { snapshotId: `snap-${n}b`, sizeGiB: 20 },
    ],
    protection: { state: 'off' },
    ...over,
  };
}

const bakeFor = (img: LifecycleImageInfo, over: Partial<BakeRecord> = {}) =>
  ({ _id: img.tags['ami-bot:bake-id'], status: 'succeeded', facts: { imageId: img.id }, ...over }) as BakeRecord;

function inventory(
  images: LifecycleImageInfo[],
  extra: { refs?: Map<string, never[]>; snapshots?: SnapshotInfo[]; bakes?: BakeRecord[] } = {},
) {
  const bakes = extra.bakes ?? images.map((i) => bakeFor(i));
  return buildInventory({
    deployment: 'acme',
    at: NOW,
    pricePerGbMonth: 0.05,
    images,
    snapshots: extra.snapshots ?? [],
    references: extra.refs ?? new Map(),
    bakes: new Map(bakes.map((b) => [b._id, b])),
    liveImageIds: new Set(),
  });
}

describe('planPrune', () => {
  it('keeps the newest N and anything younger than D days; retires the rest as superseded, oldest included', () => {
    const images = [image(1, 400), image(2, 200), image(3, 100), image(4, 60), image(5, 30), image(6, 10)];
    const plan = planPrune(inventory(images), retention({ keepLast: 2, keepDays: 90 }));
    expect(plan.kept.map((k) => [k.imageId, k.reason.kind])).toEqual([
      ['ami-0006', 'newest'],
      ['ami-0005', 'newest'],
      ['ami-0004', 'young'],
    ]);
    expect(plan.retire.map((r) => [r.imageId, r.reason])).toEqual([
      ['ami-0003', { kind: 'superseded', rank: 4, ageDays: 100 }],
      ['ami-0002', { kind: 'superseded', rank: 5, ageDays: 200 }],
      ['ami-0001', { kind: 'superseded', rank: 6, ageDays: 400 }],
    ]);
    expect(plan.retire[0]!.snapshotIds).toEqual(['snap-3a', 'snap-3b']);
    expect(reclaimedGiB(plan)).toBe(210);
    expect(plan.deprecate).toEqual([]);
  });

  it('never retires a referenced AMI, however old, and a referenced AMI still counts in the newest N', () => {
    const images = [image(1, 900), image(2, 800), image(3, 700)];
    const refs = collectReferences({
      targets: [tierTarget({ id: 'gpu', idType: 'string', label: 'GPU', executorImage: 'ami-0001' })],
      executors: [],
      changes: [],
      tests: [],
    });
    const plan = planPrune(inventory(images, { refs: refs as never }), retention({ keepLast: 1, keepDays: 0 }));
    expect(plan.kept.map((k) => [k.imageId, k.reason.kind])).toEqual([
      ['ami-0003', 'newest'],
      ['ami-0001', 'referenced'],
    ]);
    expect(plan.retire.map((r) => r.imageId)).toEqual(['ami-0002']);
  });

  it('keeps an image still pending; retires a failed one and an orphan whatever their age or rank', () => {
    const pending = image(4, 0, { state: 'pending' });
    const failed = image(3, 1, { state: 'failed' });
    const orphan = image(2, 2);
    const plan = planPrune(
      inventory([pending, failed, orphan, image(1, 500)], {
        bakes: [
          bakeFor(pending),
          bakeFor(failed),
          bakeFor(image(1, 500)),
          bakeFor(orphan, { status: 'failed', facts: {} }),
        ],
      }),
      retention({ keepLast: 3, keepDays: 90 }),
    );
    expect(plan.kept.map((k) => [k.imageId, k.reason.kind])).toEqual([
      ['ami-0004', 'in-progress'],
      ['ami-0001', 'newest'],
    ]);
    expect(plan.retire.map((r) => [r.imageId, r.reason.kind])).toEqual([
      ['ami-0003', 'failed'],
      ['ami-0002', 'orphan'],
    ]);
  });

  it('gives kept AMIs no tier uses a deprecation time only when the policy turns it on', () => {
    const refs = collectReferences({
      targets: [tierTarget({ id: 'small', idType: 'string', label: 'Small', executorImage: 'ami-0002' })],
      executors: [],
      changes: [],
      tests: [],
    });
    const inv = inventory([image(1, 10), image(2, 5)], { refs: refs as never });
    expect(planPrune(inv, retention()).deprecate).toEqual([]);
    expect(planPrune(inv, retention({ deprecateAfterDays: 30 })).deprecate).toEqual([
      { imageId: 'ami-0001', at: new Date(NOW.getTime() + 30 * DAY) },
    ]);
  });
});

describe('collectReferences', () => {
  it('names tiers, live executors, a change’s target and revert AMIs, and a running test’s AMIs', () => {
    const change = {
      _id: 'chg-20261201-ab12',
      status: 'pending',
      targetAmi: 'ami-new',
      updates: [{ id: 't1', idType: 'string', label: 'T1', executorImage: 'ami-old', from: 'ami-old', to: 'ami-new' }],
      snapshot: [{ id: 't2', idType: 'string', label: 'T2', executorImage: 'ami-older' }],
    } as unknown as ChangeRecord;
    const refs = collectReferences({
      targets: [tierTarget({ id: 't1', idType: 'string', label: 'T1', executorImage: 'ami-old' })],
      executors: [
        { id: 'i-1', name: '', state: 'stopped', imageId: 'ami-ancient', tags: {}, blockDeviceNames: [] },
        { id: 'i-2', name: '', state: 'terminated', imageId: 'ami-gone', tags: {}, blockDeviceNames: [] },
      ],
      changes: [change],
      tests: [{ _id: 'test-20261201-x001', amiId: 'ami-test', previousAmi: 'ami-old' } as never],
    });
    expect(refs.get('ami-old')).toEqual([
      { kind: 'tier', tierId: 't1', label: 'T1' },
      { kind: 'change', changeId: 'chg-20261201-ab12', role: 'revert', status: 'pending' },
      { kind: 'test', testId: 'test-20261201-x001', role: 'restore' },
    ]);
    expect(refs.get('ami-new')).toEqual([
      { kind: 'change', changeId: 'chg-20261201-ab12', role: 'target', status: 'pending' },
    ]);
    expect(refs.get('ami-older')?.[0]).toMatchObject({ kind: 'change', role: 'revert' });
    expect(refs.get('ami-ancient')).toEqual([{ kind: 'executor', instanceId: 'i-1', state: 'stopped' }]);
    expect(refs.has('ami-gone')).toBe(false);
    expect(refs.get('ami-test')).toEqual([{ kind: 'test', testId: 'test-20261201-x001', role: 'under-test' }]);
  });

  it('names a node group by its launch template version’s AMI, and the AMIs of the versions a change recorded', () => {
    const guard = launchTemplateGuard('lt-0compute', 7);
    const change = {
      _id: 'chg-20261201-cd34',
      status: 'applied',
      targetAmi: 'ami-new',
      // An entry whose recorded AMI is blank (written before its version was read): the guard still names one.
      updates: [],
      snapshot: [{ id: 'compute', key: nodegroupKey('c', 'compute'), label: 'compute', executorImage: '', guard }],
    } as unknown as ChangeRecord;
    const refs = collectReferences({
      targets: [
        { key: nodegroupKey('c', 'compute'), id: 'compute', label: 'compute (pool compute)', ami: 'ami-new', guard },
        // Special (no launch template): it names no AMI, so it references none.
        { key: nodegroupKey('c', 'platform'), id: 'platform', label: 'platform', ami: '', guard: '', special: 'x' },
      ],
      executors: [],
      changes: [change],
      tests: [],
      guardAmis: new Map([[guard, 'ami-old']]),
    });
    expect(refs.get('ami-new')).toEqual([
      { kind: 'node-group', nodegroup: 'compute', label: 'compute (pool compute)' },
      { kind: 'change', changeId: 'chg-20261201-cd34', role: 'target', status: 'applied' },
    ]);
    expect(refs.get('ami-old')).toEqual([
      { kind: 'change', changeId: 'chg-20261201-cd34', role: 'revert', status: 'applied' },
    ]);
    expect(refs.has('')).toBe(false);
  });
});

describe('inventory', () => {
  it('sizes each AMI, finds snapshots whose image is gone, and estimates the monthly cost', () => {
    const snapshot = (id: string, imageId?: string): SnapshotInfo => ({
      id,
      state: 'completed',
      sizeGiB: 30,
      tags: {},
      ...(imageId ? { createdForImageId: imageId } : {}),
    });
    const inv = inventory([image(1, 3)], {
      snapshots: [snapshot('snap-1a', 'ami-0001'), snapshot('snap-x', 'ami-gone'), snapshot('snap-y')],
    });
    expect(inv.amis[0]).toMatchObject({ id: 'ami-0001', sizeGiB: 70 });
    expect(inv.orphanSnapshots.map((s) => s.id)).toEqual(['snap-x', 'snap-y']);
    expect(monthlyCostEstimate(70, 0.05)).toBe(3.5);
  });

  it('explains an image by its bake record; a bake still running may not have saved its id yet', () => {
    const img = image(1, 0);
    expect(orphanReason(img, bakeFor(img))).toBeUndefined();
    expect(orphanReason(img, bakeFor(img, { status: 'running', facts: {} }))).toBeUndefined();
    expect(orphanReason(img, undefined)).toBe('no bake bake-1 is recorded');
    expect(orphanReason(img, bakeFor(img, { status: 'failed', facts: {} }))).toBe(
      'bake bake-1 ended failed without recording it',
    );
    expect(orphanReason({ ...img, tags: {} }, undefined)).toBe('it carries no bake id');
  });
});
