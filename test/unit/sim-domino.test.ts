import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { tierKey } from '../../src/ports/domino.js';
import { toCachedImage } from '../../src/sim/disk-cache.js';
import {
  createManualClock,
  createSimulator,
  DEMO_IDS,
  EXECUTOR_GROUP_TAG,
  seedEksCluster,
} from '../../src/sim/index.js';

function setup(options: { faults?: string[]; staleTestExecutor?: boolean } = {}) {
  const clock = createManualClock(new Date('2026-09-01T09:00:00Z'));
  const sim = createSimulator({ clock, write: () => {}, ...options });
  /** Polls the job every virtual second, as the bot's test step does, and times each state. */
  const watch = async (jobId: string) => {
    const seconds: Record<string, number> = {};
    const order: string[] = [];
    for (let i = 0; i < 3_600; i++) {
      const status = await sim.dominoApi.getJobStatus(jobId);
      if (order.at(-1) !== status.executionStatus) order.push(status.executionStatus);
      if (status.isCompleted) return { order, seconds };
      seconds[status.executionStatus] = (seconds[status.executionStatus] ?? 0) + 1;
      await clock.advance(1_000);
    }
    throw new Error('job never completed');
  };
  const start = (hardwareTierId: string, environmentId: string = DEMO_IDS.environments.standard) =>
    sim.dominoApi.startJob({
      projectId: DEMO_IDS.testProjectId,
      command: 'python -c "print(1)"',
      hardwareTierId,
      environmentId,
      title: 'ami test',
    });
  return { clock, sim, watch, start };
}

describe('simulated Domino', () => {
  it('a job on a new AMI that caches its environment: Queued while the executor boots, Pulling ≈ 0', async () => {
    const { sim, clock, watch, start } = setup();
    const { ec2, world, dominoTiers } = sim;
    const [tpl] = await ec2.findInstancesByNamePattern('*executor-template*');
    const standard = toCachedImage(world.registry.resolve(DEMO_IDS.images.standard));
    world.instances.get(tpl!.id)!.dockerImages.set(standard.ref, standard);
    const amiId = await ec2.createImage({
      instanceId: tpl!.id,
      name: 'domino-acme-executor-20260901-0900',
      description: '',
      noReboot: true,
      deviceNames: [],
      tags: {},
    });
    await clock.advance(30 * 60_000);
    expect((await ec2.describeImages([amiId]))[0]?.state).toBe('available');
    const tier = (await dominoTiers.listTiers()).find((t) => t.id === DEMO_IDS.testTierId)!;
    expect(
      await dominoTiers.applyImageUpdates([{ id: tier.id, idType: tier.idType, from: tier.executorImage, to: amiId }]),
    ).toEqual({ applied: [tierKey(tier)], conflicts: [] });

    const { order, seconds } = await watch(await start(DEMO_IDS.testTierId));
    expect(order).toEqual(['Queued', 'Pulling', 'Preparing', 'Running', 'Succeeded']);
    expect(seconds.Queued).toBeGreaterThanOrEqual(120);
    expect(seconds.Queued).toBeLessThanOrEqual(241);
    expect(seconds.Pulling ?? 0).toBeLessThanOrEqual(2);
    const [executor] = await ec2.findInstancesByTags({ [EXECUTOR_GROUP_TAG]: DEMO_IDS.testTierId });
    expect(executor).toMatchObject({ imageId: amiId, state: 'running', tags: { 'domino-deployment': 'acme' } });
  });

  it("a job on an EKS node finds its image in the node's containerd store (what a containerd bake fills)", async () => {
    const { sim, watch, start } = setup();
    const seeded = seedEksCluster(sim.world, { testHardwareTier: 'test-pool' });
    const [nodeId] = sim.world.clusters.get(seeded.cluster)!.nodegroups.get(seeded.pools.test![0]!)!.nodeIds;
    const node = sim.world.instances.get(nodeId!)!;
    const standard = toCachedImage(sim.world.registry.resolve(DEMO_IDS.images.standard));
    node.dockerImages = new Map();
    node.containerdImages = new Map([[standard.ref, standard]]);
    const jobId = await start('test-pool');
    const { order, seconds } = await watch(jobId);
    expect(sim.world.jobs.get(jobId)?.executorId).toBe(node.id);
    expect(order).toEqual(['Queued', 'Pulling', 'Preparing', 'Running', 'Succeeded']);
    expect(seconds.Pulling ?? 0).toBeLessThanOrEqual(2);
    expect(node.dockerImages.size).toBe(0);
  });

  it('a job on the old AMI (environment not cached): Pulling takes minutes', async () => {
    const { watch, start } = setup();
    const { order, seconds } = await watch(await start(DEMO_IDS.testTierId));
    expect(order).toEqual(['Queued', 'Pulling', 'Preparing', 'Running', 'Succeeded']);
    expect(seconds.Pulling).toBeGreaterThanOrEqual(180);
    expect(seconds.Pulling).toBeLessThanOrEqual(420);
  });

  it('lands on a running executor of the tier (old AMI) after a short Queued, booting nothing', async () => {
    const { sim, watch, start } = setup();
    const before = sim.world.instances.size;
    const jobId = await start('small-k8s');
    const { seconds } = await watch(jobId);
    expect(seconds.Queued).toBeLessThanOrEqual(16);
    expect(sim.world.instances.size).toBe(before);
    const job = sim.world.jobs.get(jobId)!;
    expect(sim.world.instances.get(job.executorId!)?.tags[EXECUTOR_GROUP_TAG]).toBe('small-k8s');
    expect(job.launchedExecutor).toBeUndefined();
  });

  it('restarts a stopped executor of the tier, on its old AMI, instead of booting a new one', async () => {
    const { sim, watch, start } = setup({ staleTestExecutor: true });
    const [stale] = await sim.ec2.findInstancesByTags({ [EXECUTOR_GROUP_TAG]: DEMO_IDS.testTierId });
    expect(stale?.state).toBe('stopped');
    const jobId = await start(DEMO_IDS.testTierId);
    await watch(jobId);
    expect(sim.world.jobs.get(jobId)?.executorId).toBe(stale!.id);
    expect((await sim.ec2.describeInstance(stale!.id))?.state).toBe('running');
  });

  it('stopJob, domino-job-failed and domino-api-down', async () => {
    const { sim, clock, watch, start } = setup({ faults: ['domino-job-failed'] });
    expect((await watch(await start('medium'))).order.at(-1)).toBe('Failed');
    const jobId = await start(DEMO_IDS.testTierId);
    await clock.advance(30_000);
    await sim.dominoApi.stopJob(jobId);
    expect((await watch(jobId)).order).toEqual(['StopRequested', 'Stopping', 'Stopped']);
    sim.faults.on('domino-api-down');
    const error = await sim.dominoApi.getJobStatus(jobId).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('domino_api_unreachable');
  });

  it('guards each tier update by its old value, like a bulkWrite with {_id, executorImage: from}', async () => {
    const { sim } = setup();
    const tiers = await sim.dominoTiers.listTiers();
    expect(tiers.map((t) => t.id)).toEqual(['small-k8s', 'medium', 'large', 'gpu', 'pinned-legacy', 'test-tier']);
    expect(tiers.find((t) => t.id === 'gpu')?.label).toBe('GPU (K80, Ubuntu 16.04)');
    const small = tiers.find((t) => t.id === 'small-k8s')!;
    const medium = tiers.find((t) => t.id === 'medium')!;
    // Someone edits `medium` in the Domino UI between the plan and the apply.
    sim.world.tiers.find((t) => t.doc._id === 'medium')!.doc.executorImage = 'ami-0someoneelse0000';
    const result = await sim.dominoTiers.applyImageUpdates([
      { id: small.id, idType: 'string', from: small.executorImage, to: 'ami-0new' },
      { id: medium.id, idType: 'string', from: medium.executorImage, to: 'ami-0new' },
      { id: 'no-such-tier', idType: 'string', from: 'ami-x', to: 'ami-0new' },
    ]);
    expect(result).toEqual({ applied: ['string:small-k8s'], conflicts: ['string:medium', 'string:no-such-tier'] });
    const after = await sim.dominoTiers.listTiers();
    expect(after.find((t) => t.id === 'small-k8s')?.executorImage).toBe('ami-0new');
    expect(after.find((t) => t.id === 'medium')?.executorImage).toBe('ami-0someoneelse0000');
  });

  it('knows who uses which tier and which environments run', async () => {
    const { sim } = setup();
    const users = await sim.tierUsers.usersByTier(['gpu', 'test-tier']);
    expect(users.get('gpu')).toEqual(['lena@acme.example', 'kofi@acme.example']);
    expect(users.get('test-tier')).toEqual([]);
    expect((await sim.tierUsers.environmentsInUse!())[0]).toMatchObject({ image: DEMO_IDS.images.standard, runs: 958 });
  });
});
