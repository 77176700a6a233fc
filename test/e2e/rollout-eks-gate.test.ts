// The test gate of an eks-node-groups deployment through signed Slack requests into the real app, on the
// simulator's EKS, launch templates and Domino (a hardware tier on the test node group's pool): bake → test on the
// test node group (switched, proven, restored) → plan without --override-test → two-person approval → apply, with
// the launch template versions checked after each step.
import { afterEach, describe, expect, it } from 'vitest';
import { addNodePoolTier, NODE_POOL_LABEL, seedEksCluster } from '../../src/sim/index.js';
import { createSimWorld, seedDemoWorld } from '../../src/sim/sim-world.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { ADMIN, type Harness } from '../support/bot-harness.js';
import { APPROVERS, bake, latestChange, rolloutHarness, until } from '../support/rollout-harness.js';

const COMPUTE = ['compute-us-west-2a', 'compute-us-west-2b'];
const TEST_NODEGROUP = 'test-us-west-2a';
const TEST_HARDWARE_TIER = 'test-pool';

/**
 * The real app on the simulator with the demo's deployment as an EKS one: the seeded cluster, a Domino hardware
 * tier on the test node group's pool (TEST_HARDWARE_TIER), and `testHardwareTier` as given.
 */
async function eksGate(testHardwareTier = TEST_HARDWARE_TIER) {
  const world = seedDemoWorld(createSimWorld({ deployment: 'acme' }));
  const seeded = seedEksCluster(world);
  addNodePoolTier(world, TEST_HARDWARE_TIER, 'test');
  // The node groups run an AMI an earlier bake of acme made: standard.
  world.images.get(seeded.nodeImageId)!.tags = {
    'created-by': 'ami-bot',
    'ami-bot:bake-id': 'bake-20260815-abcd',
    'ami-bot:deployment': 'acme',
  };
  const harness = await rolloutHarness(
    (config) => {
      // Generous: on the scaled clock a stall of this busy machine reads as seconds of Pulling.
      config.domino.pullPassSeconds = 120;
      const deployment = config.deployments[0]!;
      delete deployment.testTier;
      deployment.kind = 'eks-node-groups';
      // The demo's template is a docker host (the containerd bake: test/e2e/bake-containerd.test.ts).
      deployment.containerRuntime = 'docker';
      deployment.eks = {
        cluster: seeded.cluster,
        nodegroups: [],
        nodePools: ['compute'],
        nodePoolLabel: NODE_POOL_LABEL,
        testNodegroup: TEST_NODEGROUP,
        testHardwareTier,
        force: false,
        terraformTagKeys: [],
        runningWork: 'evict',
      };
    },
    { world, eks: true },
  );
  const versions = (name: string) => world.launchTemplates.get(seeded.templateIds[name]!)!.versions;
  const nodegroup = (name: string) => world.clusters.get(seeded.cluster)!.nodegroups.get(name)!;
  return { harness, world, seeded, versions, nodegroup };
}

describe('the test gate of an eks-node-groups deployment', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('bake → test on the test node group → plan without override → approve → apply', async () => {
    // The test hardware tier runs on the test node group's pool: the test goes ahead.
    const { harness, world, seeded, versions, nodegroup } = await eksGate();
    h = harness;
    const baked = await bake(h);
    const newAmi = baked.facts.imageId!;
    const old = seeded.nodeImageId;

    // The bake thread's Test button: the test node group is switched (a second version), the job runs on its
    // pool's hardware tier, on a node the update launched from the new AMI; then it goes back (a third version).
    // The switch follows the node group update on the bot's clock before the answer: the request is answered
    // (processBeforeResponse) while the test waits for the answer, which is what moves the clock.
    const clicked = h.click(ACTION_IDS.testAmi, baked._id, { responseId: 'test' });
    expect(await h.answer('test')).toMatch(
      /Test test-\d{8}-[a-z0-9]{4} started: test-us-west-2a \(pool test\) now uses/,
    );
    await clicked;
    await h.bot.rollout.idle();
    const test = await until('the restored test', async () => {
      const [latest] = await h!.store.amiTests.listRecent(1);
      return latest?.restore ? latest : undefined;
    });
    expect(test.status).toBe('passed');
    const job = world.jobs.get(test.jobId!)!;
    expect(job.tierId).toBe(TEST_HARDWARE_TIER);
    const node = world.instances.get(job.executorId!)!;
    expect(node.tags['eks:nodegroup-name']).toBe(TEST_NODEGROUP);
    expect(node.imageId).toBe(newAmi);
    expect(test.executor?.instanceId).toBe(node.id);
    expect(versions(TEST_NODEGROUP).map((v) => v.imageId)).toEqual([old, newAmi, old]);
    expect(nodegroup(TEST_NODEGROUP).launchTemplate?.version).toBe('3');
    expect(nodegroup(TEST_NODEGROUP).updates.map((u) => u.status)).toEqual(['Successful', 'Successful']);
    for (const name of COMPUTE) expect(versions(name)).toHaveLength(1);

    // Plan without --override-test: the passed EKS test is the gate's test.
    await h.slash(`plan ${baked._id}`, { responseId: 'plan' });
    expect(await h.answer('plan')).toContain(`Tested by ${test._id}`);
    const change = await latestChange(h, 'rollout');
    expect(change.gate).toEqual({ test: expect.objectContaining({ id: test._id, executorId: node.id }) });
    expect(change.updates.map((u) => u.id)).toEqual(COMPUTE);
    await h.bot.rollout.idle();

    // Two people: the requester cannot approve their own change; an approver can.
    await h.click(ACTION_IDS.approve, change._id, { userId: ADMIN, responseId: 'own' });
    expect(await h.answer('own')).toContain('two-person rule');
    expect((await h.store.changes.get(change._id))?.status).toBe('pending');
    await h.click(ACTION_IDS.approve, change._id, { userId: APPROVERS[0], responseId: 'approve' });
    await h.bot.rollout.idle();
    const applied = await h.store.changes.get(change._id);
    expect(applied?.result).toMatchObject({ status: 'applied', conflicts: [], unverified: [] });
    for (const name of COMPUTE) {
      expect(versions(name).map((v) => v.imageId)).toEqual([old, newAmi]);
      expect(nodegroup(name).launchTemplate?.version).toBe('2');
    }
    // The test node group is not a rollout target: still on its restored version.
    expect(versions(TEST_NODEGROUP)).toHaveLength(3);
  });

  it('a test hardware tier on another pool than the test node group’s is refused before anything changes', async () => {
    // small-k8s runs its jobs on the compute pool: they would land on compute nodes, still on the old AMI.
    const { harness, versions, nodegroup } = await eksGate('small-k8s');
    h = harness;
    const baked = await bake(h);
    await h.slash(`test ${baked._id}`, { responseId: 'test' });
    const answer = await h.answer('test');
    expect(answer).toContain('The test hardware tier Small');
    expect(answer).toContain(
      `runs its jobs on node pool compute, but the test node group ${TEST_NODEGROUP} is node pool test`,
    );
    expect(answer).toContain('deployments[].eks.testHardwareTier');
    expect(answer).toContain('nothing was changed');
    await h.bot.rollout.idle();
    // Nothing changed: the test node group's launch template version, its updates, no test stored or job run.
    expect(nodegroup(TEST_NODEGROUP).launchTemplate?.version).toBe('1');
    expect(versions(TEST_NODEGROUP)).toHaveLength(1);
    expect(nodegroup(TEST_NODEGROUP).updates).toEqual([]);
    expect(await h.store.amiTests.listRecent(5)).toEqual([]);
    expect(h.world.jobs.size).toBe(0);
  });
});
