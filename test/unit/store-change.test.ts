import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import type { ChangeRecord } from '../../src/rollout/change-record.js';
import type { ChangeRepo } from '../../src/rollout/change-repo.js';
import { storeNewChange } from '../../src/rollout/store-change.js';
import { sampleChange } from '../support/rollout-fixtures.js';

/** A repository whose first `taken` inserts find the id already used. */
function changesWithTaken(taken: number) {
  const tried: string[] = [];
  const repo = {
    async insert(change: ChangeRecord) {
      tried.push(change._id);
      return tried.length > taken;
    },
  } as unknown as ChangeRepo;
  return { repo, tried };
}

describe('storeNewChange: the first write of a plan', () => {
  const { _id, ...draft } = sampleChange();

  it('draws another id when one is taken, and stores the change once', async () => {
    const { repo, tried } = changesWithTaken(2);
    const change = await storeNewChange(repo, draft);
    expect(tried).toHaveLength(3);
    expect(change._id).toBe(tried[2]);
    expect(change._id).toMatch(/^chg-\d{8}-[a-z0-9]{4}$/);
    expect(change.updates).toEqual(draft.updates);
  });

  it('gives up after five taken ids with a clear error', async () => {
    const { repo, tried } = changesWithTaken(Number.POSITIVE_INFINITY);
    const error = await storeNewChange(repo, draft).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('change_id_collision');
    expect(tried).toHaveLength(5);
  });
});
