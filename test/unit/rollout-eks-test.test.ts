// The AMI test of an eks-node-groups deployment, through the use cases and the rollout-target port only: the
// simulator's EKS, launch templates, EC2 and Domino (a hardware tier bound to the test node group's pool), the
// in-memory store, a manual clock. The test node group is switched to the AMI (a new launch template version and a
// node group update), the job runs on its pool, the proof reads the node's ImageId and launch time, and the node
// group goes back (a third version with its old AMI); a process that dies in the switch or the restore is taken
// over with exactly one version per switch and per restore.
import { describe, expect, it } from 'vitest';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { newStepTable } from '../../src/bake/bake-steps.js';
import { bakeImageTags } from '../../src/bake/image-tags.js';
import type { EksPort } from '../../src/ports/eks.js';
import type { AmiTestRecord } from '../../src/rollout/ami-test-record.js';
import { createRollout } from '../../src/rollout/create-rollout.js';
import { createBackgroundTasks } from '../../src/shared/background-tasks.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { plainText } from '../../src/shared/text.js';
import { toCachedImage } from '../../src/sim/disk-cache.js';
import { addNodePoolTier, createManualClock, createSimulator, seedEksCluster } from '../../src/sim/index.js';
import { addImage, addInstance } from '../../src/sim/seed-demo-world.js';
import { nodeTags } from '../../src/sim/sim-eks.js';
import { ADMIN, loadEksConfig, simEksDeps } from '../support/eks-rig.js';
import { createRecordingChat } from '../support/recording-chat.js';

const TEST_NODEGROUP = 'test-us-west-2a';
const TEST_HARDWARE_TIER = 'test-pool-tier';
const ENV_IMAGE = 'quay.io/domino/standard-environment:py3.9';

const TEST_SETTINGS = `, testNodegroup: ${TEST_NODEGROUP}, testHardwareTier: ${TEST_HARDWARE_TIER}`;

const yaml = (cluster: string, testSettings: string) => `
domino: { testProjectId: smoke, testPollSeconds: 5 }
deployments:
  - name: acme
    kind: eks-node-groups
    eks: { cluster: ${cluster}, nodePools: [compute], terraformTagKeys: []${testSettings} }
`;

async function rig(testSettings = TEST_SETTINGS) {
  const clock = createManualClock(new Date('2026-12-03T10:00:00Z'));
  const sim = createSimulator({ clock, write: () => {}, seedWorld: false });
  const seeded = seedEksCluster(sim.world);
  const cached = toCachedImage(sim.world.registry.resolve(ENV_IMAGE));
  const newAmi = addImage(sim.world, 'domino-acme-eks-node-20261203-0900', clock.now().getTime(), {}, [cached]).id;
  // Domino 4+: a hardware tier on the test pool, a project and its environment for the test job.
  addNodePoolTier(sim.world, TEST_HARDWARE_TIER, 'test');
  sim.world.environments.set('env-standard', { id: 'env-standard', name: 'Standard', image: ENV_IMAGE });
  sim.world.projects.set('smoke', {
    id: 'smoke',
    owner: 'ami-bot',
    name: 'smoke',
    defaultEnvironmentId: 'env-standard',
  });
  const config = loadEksConfig(yaml(seeded.cluster, testSettings), ENV_IMAGE);
  const deps = simEksDeps(sim, config, clock, createRecordingChat());
  const { store } = deps;
  const testGroup = () => sim.world.clusters.get(seeded.cluster)!.nodegroups.get(TEST_NODEGROUP)!;
  const versions = () => sim.world.launchTemplates.get(seeded.templateIds[TEST_NODEGROUP]!)!.versions;

  const now = clock.now();
  const bake: BakeRecord = {
    _id: 'bake-20261203-abcd',
    deployment: 'acme',
    requester: ADMIN,
    channel: 'C0OPS00001',
    images: [ENV_IMAGE],
    noReboot: false,
    status: 'succeeded',
    steps: newStepTable(),
    facts: { imageId: newAmi, imageName: 'domino-acme-eks-node-20261203-0900' },
    createdAt: now,
    updatedAt: now,
  };
  sim.world.images.get(newAmi)!.tags = bakeImageTags(bake);
  sim.world.images.get(seeded.nodeImageId)!.tags = bakeImageTags({ ...bake, _id: 'bake-20260815-abcd' });
  await store.bakes.insert(bake);

  /** Runs the work to its end, a virtual 10 s at a time (the switch and the restore follow node group updates). */
  async function drive<T>(work: Promise<T>, steps = 2000): Promise<T> {
    let finished = false;
    const done = work.finally(() => {
      finished = true;
    });
    for (let step = 0; step < steps && !finished; step++) await clock.advance(10_000);
    return done;
  }

  /** Advances the clock until the test has ended and its test node group has been restored (or kept). */
  async function settled(testId: string): Promise<AmiTestRecord> {
    for (let step = 0; step < 2000; step++) {
      const test = await store.amiTests.get(testId);
      if (test?.restore) return test;
      await clock.advance(10_000);
    }
    throw new Error(`test ${testId} did not settle`);
  }

  const latestTest = async () => (await store.amiTests.listRecent(1, 'acme'))[0]!;
  const turns = async (until: () => boolean) => {
    for (let turn = 0; turn < 200 && !until(); turn++) await new Promise((resolve) => setImmediate(resolve));
  };

  return { clock, sim, seeded, newAmi, bake, deps, store, testGroup, versions, drive, settled, latestTest, turns };
}

const start = (r: Awaited<ReturnType<typeof rig>>, deps = r.deps) =>
  createRollout(deps).useCases.testAmi({ userId: ADMIN, channelId: 'C0OPS00001', target: r.bake._id });

describe('AMI test on a test node group', () => {
  it('switches the test node group, proves the job ran on a node launched from the AMI, restores it, and the plan needs no override', async () => {
    const r = await rig();
    const oldNodes = r.testGroup().nodeIds.slice();
    const reply = await r.drive(start(r));
    expect(plainText(reply.text ?? '')).toMatch(/Test test-\d{8}-[a-z0-9]{4} started/);
    const test = await r.settled((await r.latestTest())._id);
    expect(test).toMatchObject({ status: 'passed', tierId: TEST_NODEGROUP, hardwareTierId: TEST_HARDWARE_TIER });
    // The proof: a node of the test node group, on the new AMI, launched after the switch began.
    const node = r.sim.world.instances.get(test.executor!.instanceId)!;
    expect(node.tags['eks:nodegroup-name']).toBe(TEST_NODEGROUP);
    expect(test.executor?.imageId).toBe(r.newAmi);
    expect(test.executor!.launchTime.getTime()).toBeGreaterThanOrEqual(test.switchStartedAt!.getTime() - 999);
    expect(oldNodes).not.toContain(test.executor?.instanceId);
    const job = r.sim.world.jobs.get(test.jobId!)!;
    expect(job.tierId).toBe(TEST_HARDWARE_TIER);
    expect(job.executorId).toBe(test.executor?.instanceId);
    // Switch and restore: one version each (EKS cannot roll back: the restore is a third version, the old AMI).
    expect(r.versions().map((v) => v.imageId)).toEqual([r.seeded.nodeImageId, r.newAmi, r.seeded.nodeImageId]);
    expect(r.testGroup().updates).toHaveLength(2);
    expect(r.testGroup().launchTemplate?.version).toBe('3');
    expect(test.restore).toMatchObject({ outcome: 'restored', detail: `back on ${r.seeded.nodeImageId}` });

    // The gate takes the passed EKS test as a tier test: planned without --override-test, the test in the gate.
    const rollout = createRollout(r.deps);
    await r.drive(rollout.useCases.planRollout({ userId: ADMIN, channelId: 'C0OPS00001', target: r.bake._id }));
    const [change] = await r.store.changes.listOpen();
    expect(change?.gate).toEqual({
      test: expect.objectContaining({ id: test._id, executorId: test.executor?.instanceId }),
    });
    expect(change?.updates.map((u) => u.id)).toEqual(['compute-us-west-2a', 'compute-us-west-2b']);
    await r.deps.tasks.stop();
  });

  it('a warm node of the test node group on the old AMI fails the proof', async () => {
    const r = await rig();
    await r.drive(start(r));
    // Someone's node on the old AMI joins the test node group (after the switch): the job may run there.
    const warm = addInstance(
      r.sim.world,
      nodeTags(r.sim.world, r.testGroup()),
      r.sim.world.images.get(r.seeded.nodeImageId)!,
      'running',
      r.clock.now().getTime(),
    );
    const test = await r.settled((await r.latestTest())._id);
    expect(test.status).not.toBe('passed');
    expect(test.executor).toBeUndefined();
    expect(test.unproven).toContain(warm.id);
    expect(test.unproven).toContain(`on ${r.seeded.nodeImageId}, not the AMI under test`);
    // Without a proven pass the plan is refused.
    await expect(
      createRollout(r.deps).useCases.planRollout({ userId: ADMIN, channelId: 'C0OPS00001', target: r.bake._id }),
    ).rejects.toMatchObject({ code: 'ami_not_tested' });
    await r.deps.tasks.stop();
  });

  it('without a test node group: /ami test says what to configure, and the plan refusal names the setting', async () => {
    const r = await rig('');
    await expect(start(r)).rejects.toMatchObject({
      code: 'no_test_tier',
      message: expect.stringContaining('deployments[].eks.testNodegroup'),
    });
    const refused = createRollout(r.deps).useCases.planRollout({
      userId: ADMIN,
      channelId: 'C0OPS00001',
      target: r.bake._id,
    });
    await expect(refused).rejects.toMatchObject({
      code: 'ami_not_tested',
      message: expect.stringContaining('no test node group is configured for acme (deployments[].eks.testNodegroup)'),
    });
  });

  it('a baseline test of the AMI the test node group already runs cannot prove a node launched for it', async () => {
    const r = await rig();
    const group = r.testGroup();
    const template = r.sim.world.launchTemplates.get(r.seeded.templateIds[TEST_NODEGROUP]!)!;
    template.versions[0]!.imageId = r.newAmi;
    // Its nodes were launched from the AMI before the test, so the job would run on a node not launched for it.
    for (const id of group.nodeIds) r.sim.world.instances.get(id)!.imageId = r.newAmi;
    const refusal = await start(r).then(
      () => expect.fail('expected the test to be refused'),
      (error: unknown) => error as { code: string; message: string },
    );
    expect(refusal.code).toBe('test_tier_executors_up');
    // In the node group's words, with the EKS way to get fresh nodes (not a Domino 3.x executor drain).
    expect(refusal.message).toContain(`node(s) of the test node group ${TEST_NODEGROUP}`);
    expect(refusal.message).toContain(
      `aws eks update-nodegroup-config --cluster-name ${r.seeded.cluster} --nodegroup-name ${TEST_NODEGROUP} --scaling-config minSize=0,desiredSize=0`,
    );
    expect(refusal.message).not.toMatch(/executor|terminate-instances/);
    expect(r.versions()).toHaveLength(1);
    expect(group.updates).toHaveLength(0);
  });

  it('refuses a test node group whose pool other node groups serve: the job could land on their nodes', async () => {
    const r = await rig();
    r.sim.world.clusters.get(r.seeded.cluster)!.nodegroups.get('compute-us-west-2a')!.labels[
      'dominodatalab.com/node-pool'
    ] = 'test';
    await expect(start(r)).rejects.toMatchObject({ code: 'test_pool_shared' });
    expect(r.versions()).toHaveLength(1);
    expect(await r.store.amiTests.listRecent(5, 'acme')).toEqual([]);
  });

  it('refuses a test hardware tier on another node pool than the test node group’s: nothing is changed', async () => {
    // small-k8s runs on the compute pool: its job would land on compute nodes, still on the old AMI.
    const r = await rig(`, testNodegroup: ${TEST_NODEGROUP}, testHardwareTier: small-k8s`);
    const refused = start(r);
    await expect(refused).rejects.toMatchObject({ code: 'test_hardware_tier_pool_mismatch' });
    const message = await refused.catch((error: Error) => error.message);
    expect(message).toBe(
      `The test hardware tier Small (\`small-k8s\`) runs its jobs on node pool compute, but the test node group ${TEST_NODEGROUP} is node pool test (its dominodatalab.com/node-pool label): the test job would run on nodes not launched from the AMI and pass falsely. Set \`deployments[].eks.testHardwareTier\` to a hardware tier on node pool test, or \`deployments[].eks.testNodegroup\` to a node group of pool compute; nothing was changed. Hardware tiers on node pool test: test pool (\`${TEST_HARDWARE_TIER}\`).`,
    );
    expect(r.versions()).toHaveLength(1);
    expect(r.testGroup().launchTemplate?.version).toBe('1');
    expect(r.testGroup().updates).toHaveLength(0);
    expect(await r.store.amiTests.listRecent(5, 'acme')).toEqual([]);
    expect(r.sim.world.jobs.size).toBe(0);
  });

  it('a test hardware tier moved to another pool in Domino is refused; once it is back, the test runs and passes', async () => {
    const r = await rig();
    const listed = r.sim.world.hardwareTiers.find((t) => t.id === TEST_HARDWARE_TIER)!;
    listed.nodePool = 'compute';
    await expect(start(r)).rejects.toMatchObject({
      code: 'test_hardware_tier_pool_mismatch',
      message: expect.stringContaining('runs its jobs on node pool compute, but the test node group'),
    });
    expect(r.versions()).toHaveLength(1);
    expect(r.testGroup().updates).toHaveLength(0);
    // The refusal kept nothing: the deployment is free for the next test, which runs on the test pool.
    listed.nodePool = 'test';
    expect(plainText((await r.drive(start(r))).text ?? '')).toMatch(/Test test-\d{8}-[a-z0-9]{4} started/);
    const test = await r.settled((await r.latestTest())._id);
    expect(test.status).toBe('passed');
    expect(r.versions().map((v) => v.imageId)).toEqual([r.seeded.nodeImageId, r.newAmi, r.seeded.nodeImageId]);
    await r.deps.tasks.stop();
  });

  it('refuses a test hardware tier Domino does not know, or whose node pool it does not say', async () => {
    const unknown = await rig(`, testNodegroup: ${TEST_NODEGROUP}, testHardwareTier: no-such-tier`);
    await expect(start(unknown)).rejects.toMatchObject({
      code: 'test_hardware_tier_unknown',
      message: expect.stringContaining(
        'Domino has no hardware tier `no-such-tier` (`deployments[].eks.testHardwareTier`), so the test job cannot be sent to the test node group test-us-west-2a (pool test). Set `deployments[].eks.testHardwareTier` to a hardware tier on node pool test; nothing was changed. Hardware tiers on node pool test: test pool (`test-pool-tier`).',
      ),
    });
    expect(unknown.versions()).toHaveLength(1);
    expect(unknown.testGroup().updates).toHaveLength(0);

    // A Domino whose hardware tier API lists the tier without its node pool.
    const unsaid = await rig();
    const domino = {
      ...unsaid.deps.domino,
      listHardwareTiers: async () => [{ id: TEST_HARDWARE_TIER, name: 'test pool' }],
    };
    await expect(start(unsaid, { ...unsaid.deps, domino })).rejects.toMatchObject({
      code: 'test_hardware_tier_pool_unknown',
      message: expect.stringContaining(
        'Domino does not say which node pool the test hardware tier test pool (`test-pool-tier`) runs on',
      ),
    });
    expect(unsaid.versions()).toHaveLength(1);
    expect(await unsaid.store.amiTests.listRecent(5, 'acme')).toEqual([]);
  });

  it('a process that died in the switch is taken over by the next test: one version per switch and restore', async () => {
    const r = await rig();
    let calls = 0;
    const dying: EksPort = {
      ...r.sim.eks,
      async updateNodegroupVersion(input) {
        await r.sim.eks.updateNodegroupVersion(input);
        calls += 1;
        return new Promise<string>(() => {});
      },
    };
    void start(r, { ...r.deps, eks: dying });
    await r.turns(() => calls > 0);
    expect(calls).toBe(1);
    const dead = await r.latestTest();
    expect(dead.switchProgress).toEqual([{ key: expect.stringContaining(TEST_NODEGROUP), version: 2 }]);
    // Past the dead-test age, the next test takes the lock over: it finishes the dead switch (the same version
    // and update, through its tokens), restores, then runs its own test.
    await r.clock.advance((r.deps.config.domino.testTimeoutMinutes + 6) * 60_000);
    const next = { ...r.deps, owner: 'second-process', tasks: createBackgroundTasks(createSilentLogger()) };
    await r.drive(start(r, next));
    const taken = await r.store.amiTests.get(dead._id);
    expect(taken).toMatchObject({ status: 'error', restore: { outcome: 'restored' } });
    const second = await r.settled((await r.latestTest())._id);
    expect(second._id).not.toBe(dead._id);
    expect(second.status).toBe('passed');
    const ami = [r.seeded.nodeImageId, r.newAmi];
    expect(r.versions().map((v) => v.imageId)).toEqual([ami[0], ami[1], ami[0], ami[1], ami[0]]);
    expect(r.testGroup().updates).toHaveLength(4);
    await next.tasks.stop();
  });

  it('a process that died in the restore is taken over: the same restore version and update, no second one', async () => {
    const r = await rig();
    let calls = 0;
    const dyingOnRestore: EksPort = {
      ...r.sim.eks,
      async updateNodegroupVersion(input) {
        const id = await r.sim.eks.updateNodegroupVersion(input);
        calls += 1;
        // The first update (the switch) answers; the restore's is started, then the process dies in the call.
        return calls === 1 ? id : new Promise<string>(() => {});
      },
    };
    const deps = { ...r.deps, eks: dyingOnRestore };
    await r.drive(start(r, deps));
    const first = await r.latestTest();
    for (let step = 0; step < 2000 && calls < 2; step++) await r.clock.advance(10_000);
    await r.turns(() => false);
    const dead = await r.store.amiTests.get(first._id);
    expect(dead?.status).toBe('passed');
    expect(dead?.restore).toBeUndefined();
    expect(dead?.restoreProgress).toEqual([{ key: expect.stringContaining(TEST_NODEGROUP), version: 3 }]);
    // The lock is still held by the unrestored test: a test started now is refused, nothing is changed.
    await expect(start(r)).rejects.toMatchObject({ code: 'test_in_progress' });
    await r.clock.advance((r.deps.config.domino.testTimeoutMinutes + 6) * 60_000);
    const next = { ...r.deps, owner: 'second-process', tasks: createBackgroundTasks(createSilentLogger()) };
    await r.drive(start(r, next));
    expect((await r.store.amiTests.get(first._id))?.restore).toMatchObject({ outcome: 'restored' });
    const second = await r.settled((await r.latestTest())._id);
    expect(second.status).toBe('passed');
    const [old, fresh] = [r.seeded.nodeImageId, r.newAmi];
    expect(r.versions().map((v) => v.imageId)).toEqual([old, fresh, old, fresh, old]);
    expect(r.testGroup().updates).toHaveLength(4);
    // The first process's tasks are never stopped: it is the one that died (its restore call never returns).
    await next.tasks.stop();
  });
});
