import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { newChangeId } from '../../src/rollout/change-record.js';
import { requireChangeId } from '../../src/rollout/rollout-deps.js';

// decide, drain and revert refuse a value that is not a change id with this one error, before reading the store.
describe('requireChangeId', () => {
  it('lets a change id through', () => {
    expect(() => requireChangeId(newChangeId(new Date('2026-11-28T10:00:00Z')))).not.toThrow();
  });

  it('refuses anything else with invalid_change_id, quoting at most 40 characters of it', () => {
    let caught: unknown;
    try {
      requireChangeId(`bake-20261128-k3m9${'x'.repeat(60)}`);
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught) && caught.code).toBe('invalid_change_id');
    expect((caught as Error).message).toBe(
      `\`bake-20261128-k3m9${'x'.repeat(22)}\` is not a change id (like chg-20261128-k3m9).`,
    );
  });
});
