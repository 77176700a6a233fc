import { describe, expect, it } from 'vitest';
import { isDecisionAllowed, nextApplyAttempt } from '../../src/rollout/change-record.js';

const deadline = new Date('2026-12-01T12:00:00Z');
const before = new Date('2026-12-01T11:59:59Z');
const after = new Date('2026-12-01T12:00:00Z');

describe('change guards (pure, beside the record; both stores apply them)', () => {
  it('a decision: the first wins; approve or reject before the deadline, expire only once it passed', () => {
    const open = { deadline };
    expect(isDecisionAllowed(open, { outcome: 'approved', at: before })).toBe(true);
    expect(isDecisionAllowed(open, { outcome: 'rejected', at: before })).toBe(true);
    expect(isDecisionAllowed(open, { outcome: 'approved', at: after })).toBe(false);
    expect(isDecisionAllowed(open, { outcome: 'expired', at: before })).toBe(false);
    expect(isDecisionAllowed(open, { outcome: 'expired', at: after })).toBe(true);
    const decided = { deadline, decision: { outcome: 'rejected' as const, by: 'U0B', at: before } };
    expect(isDecisionAllowed(decided, { outcome: 'approved', at: before })).toBe(false);
    expect(isDecisionAllowed(decided, { outcome: 'expired', at: after })).toBe(false);
  });

  it('an apply: attempt 1 once approved, the next attempt only over a stale one, never after a result', () => {
    const approved = { decision: { outcome: 'approved' as const, by: 'U0B', at: before } };
    expect(nextApplyAttempt({}, after)).toBeUndefined();
    expect(nextApplyAttempt({ decision: { ...approved.decision, outcome: 'rejected' } }, after)).toBeUndefined();
    expect(nextApplyAttempt(approved, after)).toBe(1);
    const applying = { ...approved, apply: { owner: 'p1', at: before, attempt: 1 } };
    expect(nextApplyAttempt(applying, before)).toBeUndefined();
    expect(nextApplyAttempt(applying, after)).toBe(2);
    const result = { status: 'applied' as const, at: after, applied: [], conflicts: [], verified: [], unverified: [] };
    expect(nextApplyAttempt({ ...applying, result }, after)).toBeUndefined();
  });

  it('an apply that heartbeats while it waits (a node group update) is not stale until its latest heartbeat is', () => {
    const approved = { decision: { outcome: 'approved' as const, by: 'U0B', at: before } };
    const applying = { ...approved, apply: { owner: 'p1', at: before, attempt: 1 }, applyAliveAt: after };
    expect(nextApplyAttempt(applying, after)).toBeUndefined();
    expect(nextApplyAttempt(applying, new Date(after.getTime() + 1))).toBe(2);
  });
});
