// Issue 15, item 5: before an EKS apply replaces the nodes of the planned node groups, the runs on their pools
// (Domino's hardware tiers there, through the Domino API port) are said to be evicted, or waited for until the
// pools are idle — on the manual clock, checkpointed, heartbeated, and given up when the window ends.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import type { DominoApiPort } from '../../src/ports/domino.js';
import { createRollout } from '../../src/rollout/create-rollout.js';
import { createHardwareTierTargets } from '../../src/rollout/targets/hardware-tiers.js';
import { addRun, finishRun } from '../../src/sim/index.js';
import { APPROVER, COMPUTE, eksRig } from '../support/eks-rig.js';

const threadTexts = (r: Awaited<ReturnType<typeof eksRig>>) => r.chat.posts.map((p) => p.text);
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('running work on the node pools of an EKS apply', () => {
  it('evict: names the running runs on the planned pools (not others) once, then applies', async () => {
    const r = await eksRig();
    addRun(r.sim.world, { tierId: 'small-k8s', project: { owner: 'ana', name: 'churn' }, user: 'ana' });
    addRun(r.sim.world, { tierId: 'large-k8s', project: { owner: 'bo', name: '<!channel>' }, user: 'bo' });
    addRun(r.sim.world, { tierId: 'gpu-k8s', project: { owner: 'cy', name: 'vision' }, user: 'cy' });
    const change = await r.approvedChange();
    const done = await r.drive(createRollout(r.deps).applyChange(change._id, APPROVER));
    expect(done?.result?.status).toBe('applied');
    const notice = threadTexts(r).find((t) => t.includes('will be evicted'));
    expect(notice).toContain('2 running runs on node pools compute will be evicted when their node is replaced');
    expect(notice).toContain('ana/churn (ana, Running)');
    // Outside text: a project name cannot mention the channel.
    expect(notice).toContain('bo/&lt;!channel&gt;');
    expect(notice).not.toContain('vision');
    expect((await r.store.changes.get(change._id))?.runningWork).toMatchObject({ runs: 2 });
    for (const name of COMPUTE) expect(r.versions(name)).toHaveLength(2);
  });

  it('evict with Domino unreachable: says the runs are unknown and will be evicted, and applies', async () => {
    const r = await eksRig({
      deps: (sim) => ({
        domino: {
          ...sim.dominoApi,
          listHardwareTiers: () => Promise.reject(new AppError('domino_unreachable', 'Domino is down')),
        } satisfies DominoApiPort,
      }),
    });
    const change = await r.approvedChange();
    const done = await r.drive(createRollout(r.deps).applyChange(change._id, APPROVER));
    expect(done?.result?.status).toBe('applied');
    expect(
      threadTexts(r).some((t) => t.includes('Could not list the runs on node pools compute (Domino is down)')),
    ).toBe(true);
  });

  it('wait-idle: waits on the clock (no version made) until the last run ends, says so, then applies', async () => {
    const r = await eksRig({ eks: 'runningWork: wait-idle' });
    const run = addRun(r.sim.world, { tierId: 'small-k8s', project: { owner: 'ana', name: 'churn' }, user: 'ana' });
    const change = await r.approvedChange();
    let finished = false;
    const work = createRollout(r.deps)
      .applyChange(change._id, APPROVER)
      .finally(() => {
        finished = true;
      });
    for (let minute = 0; minute < 30; minute++) await r.clock.advance(60_000);
    expect(finished).toBe(false);
    for (const name of COMPUTE) expect(r.versions(name)).toHaveLength(1);
    const waiting = await r.store.changes.get(change._id);
    expect(waiting?.runningWork?.waitingSince).toBeInstanceOf(Date);
    // Heartbeated while it waits: no replica would take it over.
    expect(waiting?.applyAliveAt?.getTime()).toBeGreaterThan(r.clock.now().getTime() - 2 * 60_000);
    expect(threadTexts(r).filter((t) => t.includes('Waiting for the node pools compute to be idle'))).toHaveLength(1);
    finishRun(r.sim.world, run);
    const done = await r.drive(work);
    expect(done?.result?.status).toBe('applied');
    expect(threadTexts(r).some((t) => t.includes('The node pools compute are idle'))).toBe(true);
    for (const name of COMPUTE) expect(r.versions(name)).toHaveLength(2);
  });

  it('wait-idle: the window ends first — nothing written, the change expires with the reason', async () => {
    const r = await eksRig({ eks: 'runningWork: wait-idle' });
    addRun(r.sim.world, { tierId: 'large-k8s', project: { owner: 'bo', name: 'etl' }, user: 'bo' });
    const until = new Date(r.clock.now().getTime() + 45 * 60_000);
    const change = await r.approvedChange(COMPUTE, { applyAt: r.clock.now(), applyUntil: until });
    const done = await r.drive(createRollout(r.deps).applyChange(change._id, APPROVER));
    expect(done?.result).toMatchObject({ status: 'expired', applied: [] });
    expect(done?.result?.reason).toContain('were not idle by');
    expect(done?.result?.reason).toContain('1 run still running');
    expect(r.clock.now().getTime()).toBeGreaterThanOrEqual(until.getTime());
    for (const name of COMPUTE) expect(r.versions(name)).toHaveLength(1);
    expect(threadTexts(r).some((t) => t.includes('Not applied: the node pools compute were not idle'))).toBe(true);
  });

  it('wait-idle: a process that died while waiting is taken over: the same wait, said once, one version each', async () => {
    const r = await eksRig({ eks: 'runningWork: wait-idle' });
    const run = addRun(r.sim.world, { tierId: 'small-k8s', project: { owner: 'ana', name: 'churn' }, user: 'ana' });
    const change = await r.approvedChange();
    // The first process lists the runs once, then never hears back from Domino (it died in the call).
    let calls = 0;
    const dying: DominoApiPort = {
      ...r.sim.dominoApi,
      listActiveRuns(ids) {
        calls += 1;
        return calls === 1 ? r.sim.dominoApi.listActiveRuns(ids) : new Promise(() => {});
      },
    };
    void createRollout({ ...r.deps, domino: dying }).applyChange(change._id, APPROVER);
    for (let turn = 0; turn < 100 && calls < 2; turn++) {
      await r.clock.advance(60_000);
      await tick();
    }
    expect(calls).toBe(2);
    const since = (await r.store.changes.get(change._id))?.runningWork?.waitingSince;
    expect(since).toBeInstanceOf(Date);
    await r.clock.advance((r.deps.config.rollout.applyStaleMinutes + 1) * 60_000);
    finishRun(r.sim.world, run);
    const second = createRollout({ ...r.deps, owner: 'second-process' });
    const done = await r.drive(second.applyChange(change._id, 'ami-bot'));
    expect(done?.apply?.attempt).toBe(2);
    expect(done?.result?.status).toBe('applied');
    expect(done?.runningWork?.waitingSince).toEqual(since);
    expect(threadTexts(r).filter((t) => t.includes('Waiting for the node pools'))).toHaveLength(1);
    for (const name of COMPUTE) expect(r.versions(name)).toHaveLength(2);
  });

  it('hardware tiers: no running work to settle, no audience beyond themselves, no notices', async () => {
    const r = await eksRig();
    const tiers = createHardwareTierTargets(
      r.deps.tiers,
      r.deps.config.deployments[0]!,
      'executor_group_configuration',
    );
    const update = { key: 'string:small', id: 'small', label: 'Small', from: 'ami-0a', to: 'ami-0b', guard: 'ami-0a' };
    expect(await tiers.runningWork([update])).toBeUndefined();
    expect(await tiers.audience([update])).toBeUndefined();
    expect(await tiers.notices([update])).toEqual([]);
  });
});
