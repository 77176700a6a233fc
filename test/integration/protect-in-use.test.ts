// Deregistration protection of the AMIs tiers use (issue 16, "Protection"), on the simulator: protected with the
// cooldown, left alone when already protected, and an approved prune that retires a no-longer-used AMI lifts it
// and waits out EC2's 24-hour cooldown before deregistering.
import { describe, expect, it } from 'vitest';
import { applyPrune } from '../../src/lifecycle/apply-prune.js';
import { decidePrune } from '../../src/lifecycle/decide-prune.js';
import { protectInUse } from '../../src/lifecycle/protect-in-use.js';
import { startPrune } from '../../src/lifecycle/start-prune.js';
import { APPROVER, createLifecycleWorld, REQUESTER } from '../support/lifecycle-world.js';

const DAY = 86_400_000;

describe('protection of the AMIs in use', () => {
  it('protects what tiers use; a prune lifts it once unused and retires the AMI after the cooldown', async () => {
    const w = createLifecycleWorld({ keepLast: 1, keepDays: 0, recentChanges: 1 });
    const first = await w.bake();
    await w.rollOut(first);
    expect(await protectInUse(w.deps, {})).toEqual({
      protected: [first],
      already: [],
      released: [],
      deprecated: [],
      undeprecated: [],
      failed: [],
    });
    expect(w.world.images.get(first)?.protection).toEqual({ cooldown: true });
    expect(await protectInUse(w.deps, {})).toEqual({
      protected: [],
      already: [first],
      released: [],
      deprecated: [],
      undeprecated: [],
      failed: [],
    });

    await w.clock.advance(7 * DAY);
    const second = await w.bake();
    await w.rollOut(second);
    await w.clock.advance(7 * DAY);
    const third = await w.bake();
    await w.rollOut(third);
    await protectInUse(w.deps, {});
    // `first` is now used by nothing (the last change reverts to `second`): the prune retires it.
    const prune = await startPrune(w.deps, { requester: REQUESTER });
    expect(prune.plan.retire.map((r) => [r.imageId, r.protection])).toEqual([[first, { state: 'on', cooldown: true }]]);
    await decidePrune(w.deps, { pruneId: prune._id, userId: APPROVER, decision: 'approve' });
    const waiting = await applyPrune(w.deps, prune._id);
    expect(waiting.done).toBe(false);
    expect(waiting.items[0]?.outcome).toMatchObject({ kind: 'waiting', why: 'deregistration protection cooling down' });
    expect(w.world.images.has(first)).toBe(true);
    await w.clock.advance(DAY - 60_000);
    expect((await applyPrune(w.deps, prune._id)).done).toBe(false);
    await w.clock.advance(60_000);
    const done = await applyPrune(w.deps, prune._id);
    expect(done.done).toBe(true);
    expect(done.items[0]?.outcome).toMatchObject({ kind: 'retired', image: 'deregistered' });
    expect(w.world.images.has(first)).toBe(false);
    expect(w.world.images.get(third)?.protection).toEqual({ cooldown: true });
  });
});
