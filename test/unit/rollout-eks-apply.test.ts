// The rollout's apply use case on an eks-node-groups deployment, through the rollout-target port only: the
// simulator's EKS and launch templates, the in-memory store, a manual clock. A process that dies in the middle of
// an apply is taken over and resumed from the checkpoints on the change to exactly one new version per node group.
import { describe, expect, it } from 'vitest';
import type { EksPort } from '../../src/ports/eks.js';
import type { ChangeRecord } from '../../src/rollout/change-record.js';
import { createRollout } from '../../src/rollout/create-rollout.js';
import { createBackgroundTasks } from '../../src/shared/background-tasks.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { addLaunchTemplateVersion } from '../../src/sim/sim-launch-templates.js';
import { ADMIN, APPROVER, COMPUTE, eksRig as rig } from '../support/eks-rig.js';

describe('apply of an eks-node-groups change', () => {
  it('moves every planned node group to a new version of its template and verifies it', async () => {
    const r = await rig();
    const change = await r.approvedChange();
    const done = await r.drive(createRollout(r.deps).applyChange(change._id, APPROVER));
    expect(done?.result).toMatchObject({ status: 'applied', conflicts: [], unverified: [] });
    expect(done?.result?.verified).toHaveLength(2);
    for (const name of COMPUTE) {
      expect(r.versions(name).map((v) => v.imageId)).toEqual([r.seeded.nodeImageId, r.newAmi]);
      expect(r.nodegroup(name).launchTemplate?.version).toBe('2');
    }
    // The GPU pool was listed, not planned: untouched.
    expect(r.versions('gpu-us-west-2a')).toHaveLength(1);
    expect((await r.store.changes.get(change._id))?.progress).toHaveLength(2);
  });

  it('a process that died after starting the first update is taken over: one version and one update per node group', async () => {
    const r = await rig();
    const change = await r.approvedChange();
    // The first process starts the first node group's update and never hears back (it died in the call).
    let started = 0;
    const dying: EksPort = {
      ...r.sim.eks,
      async updateNodegroupVersion(input) {
        await r.sim.eks.updateNodegroupVersion(input);
        started += 1;
        return new Promise<string>(() => {});
      },
    };
    void createRollout({ ...r.deps, eks: dying }).applyChange(change._id, APPROVER);
    for (let turn = 0; turn < 100 && started === 0; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(1);
    const saved = (await r.store.changes.get(change._id))?.progress;
    expect(saved).toEqual([{ key: expect.stringContaining(COMPUTE[0]!), version: 2 }]);
    // Past the stale-claim age, another replica claims the apply and resumes from the saved version.
    await r.clock.advance((r.deps.config.rollout.applyStaleMinutes + 1) * 60_000);
    const second = createRollout({ ...r.deps, owner: 'second-process' });
    const done = await r.drive(second.applyChange(change._id, 'ami-bot'));
    expect(done?.apply?.attempt).toBe(2);
    expect(done?.result).toMatchObject({ status: 'applied', conflicts: [] });
    expect(done?.result?.verified).toHaveLength(2);
    for (const name of COMPUTE) {
      expect(r.versions(name)).toHaveLength(2);
      expect(r.nodegroup(name).updates).toHaveLength(1);
      expect(r.nodegroup(name).launchTemplate?.version).toBe('2');
    }
  });

  it('an apply longer than the stale-claim age heartbeats: no replica takes it over while it follows', async () => {
    const r = await rig();
    const change = await r.approvedChange([...COMPUTE, 'gpu-us-west-2a', 'gpu-us-west-2b']);
    const staleMs = r.deps.config.rollout.applyStaleMinutes * 60_000;
    const startedMs = r.clock.now().getTime();
    let finished = false;
    const work = createRollout(r.deps)
      .applyChange(change._id, APPROVER)
      .finally(() => {
        finished = true;
      });
    let takeovers = 0;
    for (let minute = 0; minute < 120 && !finished; minute++) {
      await r.clock.advance(60_000);
      const now = r.clock.now();
      if (await r.store.changes.claimApply(change._id, 'other', now, new Date(now.getTime() - staleMs))) takeovers++;
    }
    const done = await work;
    expect(r.clock.now().getTime() - startedMs).toBeGreaterThan(staleMs);
    expect(takeovers).toBe(0);
    expect(done?.apply?.attempt).toBe(1);
    expect(done?.result?.verified).toHaveLength(4);
  });

  it('the scan applies in the background: another change expires on time while an EKS apply follows its updates', async () => {
    const r = await rig();
    const change = await r.approvedChange();
    const now = r.clock.now();
    const other: ChangeRecord = {
      ...change,
      _id: 'chg-20261203-p3nd',
      kind: 'drain',
      drainOf: change._id,
      updates: [],
      snapshot: [],
      deadline: new Date(now.getTime() + 4 * 60_000),
    };
    expect(await r.store.changes.insert(other)).toBe(true);
    const rollout = createRollout(r.deps);
    rollout.scheduler.start();
    let expiredWhileApplying = false;
    for (let minute = 0; minute < 60; minute++) {
      await r.clock.advance(60_000);
      const [applying, pending] = [await r.store.changes.get(change._id), await r.store.changes.get(other._id)];
      if (pending?.status === 'expired' && applying?.status === 'applying') expiredWhileApplying = true;
      if (applying?.result) break;
    }
    await rollout.scheduler.stop();
    await rollout.idle();
    expect(expiredWhileApplying).toBe(true);
    expect((await r.store.changes.get(change._id))?.result?.status).toBe('applied');
  });

  it('a shutdown while an update is followed leaves the apply unfinished; the next process resumes it', async () => {
    const r = await rig();
    const change = await r.approvedChange();
    const work = createRollout(r.deps).applyChange(change._id, APPROVER);
    for (let turn = 0; turn < 100 && r.nodegroup(COMPUTE[0]!).updates.length === 0; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    await r.clock.advance(60_000);
    await r.deps.tasks.stop();
    expect(await work).toBeUndefined();
    const left = await r.store.changes.get(change._id);
    expect(left?.status).toBe('applying');
    expect(left?.result).toBeUndefined();
    expect(left?.progress?.[0]).toMatchObject({ version: 2, updateId: r.nodegroup(COMPUTE[0]!).updates[0]!.id });
    // The next process (fresh background tasks) takes the stale claim over and finishes: no second version.
    await r.clock.advance((r.deps.config.rollout.applyStaleMinutes + 1) * 60_000);
    const next = { ...r.deps, owner: 'next-process', tasks: createBackgroundTasks(createSilentLogger()) };
    const done = await r.drive(createRollout(next).applyChange(change._id, 'ami-bot'));
    expect(done?.result).toMatchObject({ status: 'applied', conflicts: [] });
    for (const name of COMPUTE) {
      expect(r.versions(name)).toHaveLength(2);
      expect(r.nodegroup(name).updates).toHaveLength(1);
    }
  });

  it('reports a node group moved by someone else between plan and apply as a conflict and moves the other', async () => {
    const r = await rig();
    const change = await r.approvedChange();
    const [moved, other] = COMPUTE as [string, string];
    const template = r.sim.world.launchTemplates.get(r.seeded.templateIds[moved]!)!;
    const v1 = template.versions[0]!;
    addLaunchTemplateVersion(template, { ...v1, description: 'by hand', data: structuredClone(v1.data) });
    r.nodegroup(moved).launchTemplate = { ...r.nodegroup(moved).launchTemplate!, version: '2' };
    const done = await r.drive(createRollout(r.deps).applyChange(change._id, APPROVER));
    expect(done?.result?.status).toBe('applied');
    expect(done?.result?.conflicts).toEqual([
      {
        id: moved,
        label: `${moved} (pool compute)`,
        expected: `${template.id}:1`,
        found: `launch template ${template.id} version 2`,
      },
    ]);
    expect(r.versions(moved)).toHaveLength(2);
    expect(r.nodegroup(moved).updates).toHaveLength(0);
    expect(r.versions(other).map((v) => v.imageId)).toEqual([r.seeded.nodeImageId, r.newAmi]);
  });

  it('a failed node group update fails the change with EKS’s reason', async () => {
    const r = await rig();
    const change = await r.approvedChange();
    r.sim.faults.on('nodegroup-update-failed');
    const done = await r.drive(createRollout(r.deps).applyChange(change._id, APPROVER));
    expect(done?.result?.status).toBe('failed');
    expect(done?.result?.error).toMatch(
      /compute-us-west-2a \(pool compute\): EKS update .* failed: PodEvictionFailure/,
    );
    expect(done?.result?.verified).toEqual([]);
    for (const name of COMPUTE) expect(r.nodegroup(name).launchTemplate?.version).toBe('1');
  });

  it('plan, apply and revert through the use cases: the revert is a third version with the recorded AMI', async () => {
    const r = await rig();
    const bake = await r.bakedNewAmi();
    const rollout = createRollout(r.deps);
    await rollout.useCases.planRollout({
      userId: ADMIN,
      channelId: 'C0OPS00001',
      target: bake._id,
      overrideTest: 'node pools have no test node group yet',
      acceptDrift: true,
    });
    const [planned] = await r.store.changes.listOpen();
    expect(planned?.updates.map((u) => u.id)).toEqual(COMPUTE);
    // The GPU pools run a custom AMI this pipeline did not make: special, like the GPU tier of a 3.x deployment.
    expect(planned?.skipped.map((t) => [t.id, t.reason])).toEqual([
      ['gpu-us-west-2a', 'special'],
      ['gpu-us-west-2b', 'special'],
    ]);
    for (const update of planned?.updates ?? []) expect(update.guard).toMatch(/^lt-[0-9a-f]+:1$/);
    const approve = async (id: string) =>
      expect(await r.store.changes.decide(id, { outcome: 'approved', by: APPROVER, at: r.clock.now() })).toBe(true);
    await approve(planned!._id);
    const applied = await r.drive(rollout.applyChange(planned!._id, APPROVER));
    expect(applied?.result).toMatchObject({ status: 'applied', conflicts: [], unverified: [] });
    expect(applied?.result?.verified).toHaveLength(2);
    expect(r.versions('gpu-us-west-2a')).toHaveLength(1);
    await rollout.idle();

    await rollout.useCases.revertChange({ userId: ADMIN, channelId: 'C0OPS00001', changeId: planned!._id });
    const revert = (await r.store.changes.listOpen()).find((c) => c.kind === 'revert');
    expect(revert?.updates).toHaveLength(2);
    for (const update of revert?.updates ?? []) {
      expect(update).toMatchObject({ from: r.newAmi, to: r.seeded.nodeImageId });
      expect(update.guard).toMatch(/:2$/);
    }
    await approve(revert!._id);
    const reverted = await r.drive(rollout.applyChange(revert!._id, APPROVER));
    expect(reverted?.result).toMatchObject({ status: 'applied', conflicts: [] });
    expect(reverted?.result?.verified).toHaveLength(2);
    for (const name of COMPUTE) {
      expect(r.versions(name).map((v) => v.imageId)).toEqual([r.seeded.nodeImageId, r.newAmi, r.seeded.nodeImageId]);
      expect(r.nodegroup(name).launchTemplate?.version).toBe('3');
    }
    await rollout.idle();
    await r.deps.tasks.stop();
  });
});
