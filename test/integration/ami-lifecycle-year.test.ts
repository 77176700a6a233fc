// Issue 16's judgement on the simulator (manual clock): a year of weekly bakes with a retention of 3, monthly
// rollouts and prunes (planned, approved by a second person, applied), a stopped executor left on an old AMI, a
// running test, a failed bake's image and a snapshot whose image vanished. At the end exactly the AMIs the policy
// and the references require remain, no snapshot is left without its image, and no AMI in use was ever retired.
import { describe, expect, it } from 'vitest';
import { applyPrune } from '../../src/lifecycle/apply-prune.js';
import { decidePrune } from '../../src/lifecycle/decide-prune.js';
import { startPrune } from '../../src/lifecycle/start-prune.js';
import type { Ec2Port } from '../../src/ports/ec2.js';
import { APPROVER, createLifecycleWorld, REQUESTER } from '../support/lifecycle-world.js';

const DAY = 86_400_000;

describe('a year of simulated bakes with a retention of 3', () => {
  it('keeps exactly what the policy and the references require; nothing in use retired; no orphaned snapshot', async () => {
    const retired: Array<{ id: string; referenced: boolean }> = [];
    let referencedAtCall: Set<string> = new Set();
    const w = createLifecycleWorld(
      { keepLast: 3, keepDays: 0, recentChanges: 1 },
      (ec2): Ec2Port => ({
        ...ec2,
        async deregisterImage(id) {
          retired.push({ id, referenced: referencedAtCall.has(id) });
          return ec2.deregisterImage(id);
        },
      }),
    );
    const bakes: string[] = [];
    let stoppedExecutorAmi = '';
    let testedAmi = '';
    let orphanImage = '';
    let vanished: string[] = [];
    let keptByRecheck = '';

    for (let week = 1; week <= 52; week++) {
      if (week === 20) orphanImage = await w.bake('failed');
      bakes.push(await w.bake());
      if (week === 10) {
        stoppedExecutorAmi = bakes.at(-1)!;
        await w.executor(stoppedExecutorAmi, 'large', 'stopped');
      }
      if (week === 30) {
        // Deregistered behind ami-bot's back (a crash, a person): its snapshots stay, tagged, imageless.
        const gone = w.world.images.get(bakes.at(-2)!)!;
        vanished = gone.snapshotIds.slice();
        w.world.images.delete(gone.id);
        bakes.splice(-2, 1);
      }
      if (week === 51) testedAmi = (await w.runningTest(bakes.at(-1)!)).amiId;
      if (week % 4 === 0) await w.rollOut(bakes.at(-1)!);
      if (week % 4 === 0 || week === 52) {
        const prune = await startPrune(w.deps, { requester: REQUESTER });
        if (week === 40) {
          // A reference appears between plan and apply: the apply re-checks and keeps the AMI.
          keptByRecheck = prune.plan.retire.find((r) => r.reason.kind === 'superseded')!.imageId;
          await w.executor(keptByRecheck, 'medium', 'running');
        }
        await decidePrune(w.deps, { pruneId: prune._id, userId: APPROVER, decision: 'approve' });
        referencedAtCall = await w.referencedNow(1);
        const report = await applyPrune(w.deps, prune._id);
        expect(report.done).toBe(true);
        expect(report.items.every((i) => i.outcome !== undefined && i.outcome.kind !== 'failed')).toBe(true);
      }
      await w.clock.advance(7 * DAY - 2 * 3_600_000);
    }

    const referenced = await w.referencedNow(1);
    const newest3 = bakes.slice(-3);
    // Every AMI a succeeded bake made that something references now, and the newest three: computed from the
    // scenario, not from what is left.
    const expected = new Set([...newest3, ...bakes.filter((id) => referenced.has(id))]);
    expect(new Set(w.taggedImageIds())).toEqual(expected);
    // The references the scenario made are among them, and each reason to keep was exercised.
    expect(expected).toContain(stoppedExecutorAmi);
    expect(expected).toContain(testedAmi);
    expect(expected).toContain(keptByRecheck);
    expect(expected.size).toBeGreaterThan(3);
    expect(w.taggedImageIds()).not.toContain(orphanImage);
    for (const id of vanished) expect(w.world.snapshots.has(id)).toBe(false);
    // Zero snapshots without an image, anywhere in the account.
    const imageless = [...w.world.snapshots.values()].filter((s) => !w.world.images.has(s.imageId));
    expect(imageless).toEqual([]);
    // Zero AMIs in use retired: at every apply, nothing deregistered was referenced at that moment.
    expect(retired.length).toBeGreaterThan(40);
    expect(retired.filter((r) => r.referenced)).toEqual([]);
  });
});
