// A crash in the middle of a prune: the process dies after EC2 retired an AMI but before the outcome was
// checkpointed, and another dies inside a deregistration (image gone, snapshots not yet). The next apply resumes
// without error, finishes the plan, and never touches an id the plan does not hold, nor redoes a finished item.
import { describe, expect, it } from 'vitest';
import { applyPrune } from '../../src/lifecycle/apply-prune.js';
import { decidePrune } from '../../src/lifecycle/decide-prune.js';
import { startPrune } from '../../src/lifecycle/start-prune.js';
import type { Ec2Port } from '../../src/ports/ec2.js';
import { APPROVER, createLifecycleWorld, REQUESTER } from '../support/lifecycle-world.js';

const DAY = 86_400_000;

/** Records every id passed to a mutating EC2 call; `dieInside` may do part of a deregistration and then die. */
function recordingEc2(calls: Array<{ api: string; id: string }>, options: { dieInside?: (id: string) => boolean }) {
  return (ec2: Ec2Port): Ec2Port => ({
    ...ec2,
    async deregisterImage(id) {
      calls.push({ api: 'deregisterImage', id });
      if (options.dieInside?.(id)) throw new Error('process died between DeregisterImage and DeleteSnapshot');
      return ec2.deregisterImage(id);
    },
    async deleteSnapshot(id) {
      calls.push({ api: 'deleteSnapshot', id });
      return ec2.deleteSnapshot(id);
    },
    async disableDeregistrationProtection(id) {
      calls.push({ api: 'disableDeregistrationProtection', id });
      return ec2.disableDeregistrationProtection(id);
    },
    async enableImageDeprecation(id, at) {
      calls.push({ api: 'enableImageDeprecation', id });
      return ec2.enableImageDeprecation(id, at);
    },
  });
}

describe('prune apply: crash and resume', () => {
  it('resumes after a crash between acting and checkpointing, touching only what the plan holds', async () => {
    const calls: Array<{ api: string; id: string }> = [];
    let deregisters = 0;
    let halfDone: string[] = [];
    // The fourth deregistration: EC2 deregistered the image, the process died before its snapshots were deleted.
    const dieInside = (id: string) => {
      if (++deregisters !== 4) return false;
      halfDone = w.world.images.get(id)!.snapshotIds.slice();
      w.world.images.delete(id);
      return true;
    };
    const w = createLifecycleWorld({ keepLast: 1, keepDays: 0, recentChanges: 1 }, recordingEc2(calls, { dieInside }));
    const baked: string[] = [];
    for (let i = 0; i < 8; i++) {
      baked.push(await w.bake());
      await w.clock.advance(7 * DAY);
    }
    // A snapshot whose image vanished: the plan deletes it too.
    const vanished = w.world.images.get(baked[1]!)!;
    w.world.images.delete(vanished.id);
    const untouched = new Set(w.world.images.keys());

    const prune = await startPrune(w.deps, { requester: REQUESTER });
    const plannedImages = prune.plan.retire.map((r) => r.imageId);
    const plannedSnapshots = prune.plan.orphanSnapshots.map((s) => s.id);
    expect(plannedImages.length).toBe(6);
    expect(plannedSnapshots.sort()).toEqual([...vanished.snapshotIds].sort());
    await decidePrune(w.deps, { pruneId: prune._id, userId: APPROVER, decision: 'approve' });

    // The process dies after the second AMI was retired in EC2, before its outcome was written.
    const recordOutcome = w.store.prunes.recordOutcome;
    let writes = 0;
    w.store.prunes.recordOutcome = async (...args) => {
      if (++writes === 2) throw new Error('process died before the checkpoint');
      return recordOutcome(...args);
    };
    await expect(applyPrune(w.deps, prune._id)).rejects.toThrow('process died before the checkpoint');
    w.store.prunes.recordOutcome = recordOutcome;
    const afterCrash = calls.length;
    expect(w.world.images.has(plannedImages[1]!)).toBe(false);

    // Resumed: the crashed item is found gone and reported retired; the one that died inside a deregistration
    // (recorded failed) is retried and loses its snapshots; everything else proceeds.
    const first = await applyPrune(w.deps, prune._id);
    expect(halfDone.length).toBeGreaterThan(0);
    expect(first.done).toBe(false);
    expect(first.items[2]?.outcome).toMatchObject({ kind: 'failed', error: expect.stringContaining('process died') });
    expect(first.items[1]?.outcome).toMatchObject({ kind: 'retired', image: 'absent' });
    const second = await applyPrune(w.deps, prune._id);
    expect(second.done).toBe(true);
    expect(second.items.map((i) => i.outcome?.kind)).toEqual([
      ...plannedImages.map(() => 'retired'),
      ...plannedSnapshots.map(() => 'snapshot'),
    ]);
    const planned = new Set([...plannedImages, ...plannedSnapshots]);
    for (const call of calls) expect(planned, `${call.api} ${call.id}`).toContain(call.id);
    // Items final before the crash are not redone.
    const resumed = calls.slice(afterCrash);
    expect(resumed.map((c) => c.id)).not.toContain(plannedImages[0]);
    for (const id of plannedImages) expect(w.world.images.has(id)).toBe(false);
    for (const id of untouched) if (!planned.has(id)) expect(w.world.images.has(id)).toBe(true);
    expect([...w.world.snapshots.values()].filter((s) => !w.world.images.has(s.imageId))).toEqual([]);
    for (const id of halfDone) expect(w.world.snapshots.has(id)).toBe(false);
    expect(w.world.images.has(baked.at(-1)!)).toBe(true);
    // Applying a finished prune again does nothing.
    const before = calls.length;
    expect((await applyPrune(w.deps, prune._id)).done).toBe(true);
    expect(calls.length).toBe(before);
  });

  it('one apply at a time: a second concurrent one is refused; a crashed apply’s lock is taken over when stale', async () => {
    const calls: Array<{ api: string; id: string }> = [];
    const w = createLifecycleWorld({ keepLast: 1, keepDays: 0 }, recordingEc2(calls, {}));
    for (let i = 0; i < 3; i++) {
      await w.bake();
      await w.clock.advance(DAY);
    }
    const prune = await startPrune(w.deps, { requester: REQUESTER });
    await decidePrune(w.deps, { pruneId: prune._id, userId: APPROVER, decision: 'approve' });
    // A process died holding the lock (nothing releases it).
    await w.store.locks.acquire(`prune-apply:${prune._id}`, 'dead-process', w.clock.now());
    await expect(applyPrune(w.deps, prune._id)).rejects.toMatchObject({ code: 'prune_in_progress' });
    expect(calls).toEqual([]);
    await w.clock.advance(10 * 60_000);
    const [a, b] = await Promise.allSettled([applyPrune(w.deps, prune._id), applyPrune(w.deps, prune._id)]);
    expect([a, b].map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = [a, b].flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(refused).toEqual([expect.objectContaining({ code: 'prune_in_progress' })]);
    expect((await applyPrune(w.deps, prune._id)).done).toBe(true);
    // Each planned AMI was deregistered exactly once.
    const deregistered = calls.filter((c) => c.api === 'deregisterImage').map((c) => c.id);
    expect(deregistered.sort()).toEqual(prune.plan.retire.map((r) => r.imageId).sort());
  });

  it('refuses to apply a prune nobody approved, and the requester cannot approve their own', async () => {
    const calls: Array<{ api: string; id: string }> = [];
    const w = createLifecycleWorld({ keepLast: 1, keepDays: 0 }, recordingEc2(calls, {}));
    await w.bake();
    await w.clock.advance(DAY);
    await w.bake();
    const prune = await startPrune(w.deps, { requester: REQUESTER });
    expect(prune.plan.retire).toHaveLength(1);
    await expect(applyPrune(w.deps, prune._id)).rejects.toMatchObject({ code: 'prune_not_approved' });
    await expect(
      decidePrune(w.deps, { pruneId: prune._id, userId: REQUESTER, decision: 'approve' }),
    ).rejects.toMatchObject({ code: 'not_an_approver' });
    w.deps.config = { ...w.deps.config, approvers: { users: [REQUESTER, APPROVER] } };
    await expect(
      decidePrune(w.deps, { pruneId: prune._id, userId: REQUESTER, decision: 'approve' }),
    ).rejects.toMatchObject({ code: 'two_person_rule' });
    await decidePrune(w.deps, { pruneId: prune._id, userId: APPROVER, decision: 'reject' });
    await expect(
      decidePrune(w.deps, { pruneId: prune._id, userId: APPROVER, decision: 'approve' }),
    ).rejects.toMatchObject({ code: 'prune_decided' });
    await expect(applyPrune(w.deps, prune._id)).rejects.toMatchObject({ code: 'prune_not_approved' });
    expect(calls).toEqual([]);
  });
});
