// Issue 15, item 5: the announcement of an EKS change names, per node pool, the hardware tiers whose runs go there
// (Domino's hardware tier API: a tier carries its node pool) and tells their users, as it does for tiers.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import type { DominoApiPort } from '../../src/ports/domino.js';
import { announceChange } from '../../src/rollout/announce-change.js';
import { createPlanRollout } from '../../src/rollout/plan-rollout.js';
import { announcementMessage, userNoticeMessage } from '../../src/slack/blocks/announce-message.js';
import { ADMIN, COMPUTE, eksRig } from '../support/eks-rig.js';
import { allText, blockKitProblems, sampleChange } from '../support/rollout-fixtures.js';

const input = { userId: ADMIN, channelId: 'C0OPS00001', overrideTest: 'no test node group yet', acceptDrift: true };

describe('the audience of an EKS change', () => {
  it('records per planned pool its node groups and hardware tiers, and DMs those tiers’ users with the tier names', async () => {
    const r = await eksRig({ deps: (sim) => ({ tierUsers: sim.tierUsers }) });
    r.sim.world.hardwareTiers.push({ id: 'huge-k8s', name: '<b>Huge</b>', nodePool: 'compute' });
    r.sim.world.tierUsers.set('small-k8s', ['ana@example.com']);
    r.sim.world.tierUsers.set('huge-k8s', ['ana@example.com', 'bo@example.com']);
    r.sim.world.tierUsers.set('gpu-k8s', ['cy@example.com']);
    r.chat.usersByEmail
      .set('ana@example.com', 'U0ANA0001')
      .set('bo@example.com', 'U0BO00001')
      .set('cy@example.com', 'U0CY00001');
    const bake = await r.bakedNewAmi();
    await createPlanRollout(r.deps)({ ...input, target: bake._id });
    const [change] = await r.store.changes.listOpen();
    expect(change?.audience).toEqual([
      {
        pool: 'compute',
        targets: COMPUTE.map((name) => `${name} (pool compute)`),
        tiers: [
          { id: 'small-k8s', label: 'Small' },
          { id: 'large-k8s', label: 'Large' },
          { id: 'huge-k8s', label: '<b>Huge</b>' },
        ],
      },
    ]);
    await r.deps.tasks.idle();
    const summary = await announceChange(r.deps, change!._id);
    // Each user of a compute tier once; the GPU pool is not planned, so its users are not told.
    expect(summary).toMatchObject({ tiers: 3, emails: 2, dmSent: 0, alreadyNotified: 2 });
    expect(r.chat.dms.map((dm) => dm.userId).sort()).toEqual(['U0ANA0001', 'U0BO00001']);
    const ana = r.chat.dms.find((dm) => dm.userId === 'U0ANA0001');
    expect(JSON.stringify(ana?.blocks)).toContain('*&lt;b&gt;Huge&lt;/b&gt;*, *Small*');
    expect(JSON.stringify(ana?.blocks)).toContain('evicted');
    await r.deps.tasks.stop();
  });

  it('a Domino that cannot list the tiers does not stop the plan: nobody is DMed and the reason is reported', async () => {
    const r = await eksRig({
      deps: (sim) => ({
        domino: {
          ...sim.dominoApi,
          listHardwareTiers: () => Promise.reject(new AppError('domino_unreachable', 'Domino is down')),
        } satisfies DominoApiPort,
        tierUsers: sim.tierUsers,
      }),
    });
    const bake = await r.bakedNewAmi();
    await createPlanRollout(r.deps)({ ...input, target: bake._id });
    const [change] = await r.store.changes.listOpen();
    expect(change).toMatchObject({ audience: [], audienceError: 'Domino is down' });
    await r.deps.tasks.idle();
    expect(r.chat.dms).toEqual([]);
    const said = r.chat.posts.map((p) => p.text).find((t) => t.includes('Announced'));
    expect(said).toContain('tier users unavailable: Domino is down');
    await r.deps.tasks.stop();
  });
});

describe('announcementMessage for node pools (Block Kit)', () => {
  it('names the hardware tiers per pool with its node groups, escaped, within Slack’s limits', () => {
    const change = sampleChange({
      audience: [
        { pool: 'compute', targets: ['compute-a', 'compute-b'], tiers: [{ id: 's', label: 'Small <!here>' }] },
        { pool: 'gpu', targets: ['gpu-a'], tiers: [] },
      ],
    });
    const message = announcementMessage(change, 'UTC');
    expect(blockKitProblems(message)).toEqual([]);
    const text = allText(message);
    expect(text).toContain('*Hardware tiers by node pool (1)*');
    expect(text).toContain('• pool `compute`: *Small &lt;!here&gt;* (node groups compute-a, compute-b)');
    expect(text).toContain('• pool `gpu`: no hardware tier (node groups gpu-a)');
    expect(text).not.toContain('<!here>');
    expect(message.text).toContain('2 pools, 1 hardware tier');
  });

  it('keeps the tier announcement and DM for hardware tiers', () => {
    const change = sampleChange();
    expect(allText(announcementMessage(change, 'UTC'))).toContain('*Hardware tiers (3)*');
    expect(allText(userNoticeMessage(change, ['Small'], 'UTC'))).toContain('Runs already going are not interrupted');
  });
});
