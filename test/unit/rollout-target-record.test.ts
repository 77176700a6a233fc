import { describe, expect, it } from 'vitest';
import { snapshotOf, type TierUpdatePlan, targetKey, targetUpdateOf } from '../../src/rollout/change-record.js';
import { tierTarget } from '../../src/rollout/targets/hardware-tiers.js';

const OLD = 'ami-0bbbbbbbbbbbbbbb1';
const NEW = 'ami-0aaaaaaaaaaaaaaa1';

describe('recorded targets', () => {
  it('records a hardware tier in the shape every earlier release stored (no key, no guard)', () => {
    const target = tierTarget({
      id: '64f1c0de5a1b2c3d4e5f6a99',
      idType: 'objectId',
      label: 'Medium',
      executorImage: OLD,
    });
    expect(snapshotOf(target)).toStrictEqual({
      id: '64f1c0de5a1b2c3d4e5f6a99',
      idType: 'objectId',
      label: 'Medium',
      executorImage: OLD,
    });
  });

  it('reads an update saved by the previous release (tier fields only) as a move guarded by its old AMI', () => {
    const saved: TierUpdatePlan = {
      id: 'small',
      idType: 'string',
      label: 'Small',
      executorImage: OLD,
      from: OLD,
      to: NEW,
    };
    expect(targetUpdateOf(saved)).toStrictEqual({
      key: 'string:small',
      id: 'small',
      idType: 'string',
      label: 'Small',
      from: OLD,
      to: NEW,
      guard: OLD,
    });
  });

  it('records another kind with its own key and guard, and reads them back', () => {
    const entry = snapshotOf({
      key: 'nodegroup:prod/compute-a',
      id: 'compute-a',
      label: 'compute-a',
      ami: OLD,
      guard: 'lt-0123456789abcdef0:7',
    });
    expect(entry).toStrictEqual({
      id: 'compute-a',
      key: 'nodegroup:prod/compute-a',
      label: 'compute-a',
      executorImage: OLD,
      guard: 'lt-0123456789abcdef0:7',
    });
    expect(targetKey(entry)).toBe('nodegroup:prod/compute-a');
    expect(targetUpdateOf({ ...entry, from: OLD, to: NEW }).guard).toBe('lt-0123456789abcdef0:7');
  });
});
