import { describe, expect, it } from 'vitest';
import type { TierRecord } from '../../src/ports/domino.js';
import type { ImageInfo } from '../../src/ports/ec2.js';
import { classifyTiers } from '../../src/rollout/classify-tiers.js';

const NEW = 'ami-0aaaaaaaaaaaaaaa1';
const OLD1 = 'ami-0bbbbbbbbbbbbbbb1';
const OLD2 = 'ami-0bbbbbbbbbbbbbbb2';
const TAGGED = 'ami-0ccccccccccccccc1';
const GPU = 'ami-0ddddddddddddddd1';
const OTHER_DEPLOYMENT = 'ami-0eeeeeeeeeeeeeee1';
/** Baked by ami-bot, but for another deployment: tagged so, whatever its name says. */
const OTHER_BAKE = 'ami-0eeeeeeeeeeeeeee2';
const OTHER_BAKE_OUR_NAME = 'ami-0eeeeeeeeeeeeeee3';
const ours = { 'created-by': 'ami-bot', 'ami-bot:bake-id': 'bake-20260101-abcd' };

const image = (id: string, name: string, tags: Record<string, string> = {}): ImageInfo => ({
  id,
  name,
  state: 'available',
  tags,
  snapshotIds: [],
});

const images = new Map<string, ImageInfo>([
  [OLD1, image(OLD1, 'domino-acme-executor-20260510-1400')],
  [OLD2, image(OLD2, 'domino-acme-executor-20260815-0900')],
  [TAGGED, image(TAGGED, 'renamed-by-hand', { ...ours, 'ami-bot:deployment': 'acme' })],
  [OTHER_BAKE, image(OTHER_BAKE, 'renamed-by-hand', { ...ours, 'ami-bot:deployment': 'beta' })],
  [
    OTHER_BAKE_OUR_NAME,
    image(OTHER_BAKE_OUR_NAME, 'domino-acme-executor-20260815-0900', { ...ours, 'ami-bot:deployment': 'beta' }),
  ],
  [GPU, image(GPU, 'ubuntu-16.04-gpu-custom', { team: 'ml' })],
  [OTHER_DEPLOYMENT, image(OTHER_DEPLOYMENT, 'domino-other-executor-20260815-0900')],
]);

const tier = (id: string, label: string, executorImage: string): TierRecord => ({
  id,
  idType: id.length === 24 ? 'objectId' : 'string',
  label,
  executorImage,
});

describe('classifyTiers', () => {
  const tiers = [
    tier('small', 'Small', OLD1),
    tier('64f1c0de5a1b2c3d4e5f6a99', 'Medium', OLD2),
    tier('tagged', 'Tagged', TAGGED),
    tier('gpu', 'GPU', GPU),
    tier('legacy', 'Legacy', OLD1),
    tier('by-label', 'Pinned by label', OLD2),
    tier('done', 'Already', NEW),
    tier('gone', 'Deregistered', 'ami-0fffffffffffffff1'),
    tier('weird', 'Weird', 'not-an-ami'),
    tier('empty', 'Empty', ''),
    tier('foreign', 'Other deployment', OTHER_DEPLOYMENT),
    tier('beta-bake', 'Baked for beta', OTHER_BAKE),
    tier('beta-named-acme', 'Baked for beta, named like acme', OTHER_BAKE_OUR_NAME),
  ];
  const result = classifyTiers({
    deployment: 'acme',
    pinned: ['legacy', 'Pinned by label'],
    target: NEW,
    tiers,
    images,
  });

  it('moves only tiers on AMIs this pipeline made (by name or by tags), guarded by their current AMI', () => {
    expect(result.updates.map((u) => [u.id, u.from, u.to, u.idType])).toEqual([
      ['small', OLD1, NEW, 'string'],
      ['64f1c0de5a1b2c3d4e5f6a99', OLD2, NEW, 'objectId'],
      ['tagged', TAGGED, NEW, 'string'],
    ]);
  });

  it('skips special, pinned, unknown and malformed tiers with a reason', () => {
    const reasons = Object.fromEntries(result.skipped.map((s) => [s.id, s.reason]));
    expect(reasons).toEqual({
      gpu: 'special',
      legacy: 'pinned',
      'by-label': 'pinned',
      gone: 'unknown-image',
      weird: 'unknown-image',
      empty: 'no-image',
      foreign: 'special',
      // `created-by=ami-bot` from another deployment's bake is not this deployment's AMI.
      'beta-bake': 'special',
      'beta-named-acme': 'special',
    });
    expect(result.skipped.find((s) => s.id === 'gpu')?.detail).toContain('ubuntu-16.04-gpu-custom');
    expect(result.skipped.find((s) => s.id === 'weird')?.detail).toContain('not an AMI id');
    // ami-bot did bake it, for beta: "not made by this pipeline" would be false; the detail names its deployment.
    const beta = result.skipped.find((s) => s.id === 'beta-bake')?.detail;
    expect(beta).toContain('was baked by ami-bot for deployment `beta`, not acme');
    expect(beta).not.toContain('not made by this pipeline');
  });

  it('reports tiers already on the target as unchanged, and loses no tier', () => {
    expect(result.unchanged).toEqual([{ id: 'done', label: 'Already' }]);
    expect(result.updates.length + result.skipped.length + result.unchanged.length).toBe(tiers.length);
  });
});
