// Sandbox mode for an eks-node-groups deployment (signed Slack requests → real app → the simulator main.ts builds
// from the config): a cluster named after eks.cluster, a bake on its containerd node template, a plan, two-person
// approval and an apply that moves the standard node groups to a new launch template version.
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import type { EksSettings } from '../../src/rollout/targets/eks-node-groups.js';
import { sandboxWorldOptions } from '../../src/sandbox-startup.js';
import { createManualClock, createSimulator, NODE_POOL_LABEL } from '../../src/sim/index.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { ADMIN, type Harness } from '../support/bot-harness.js';
import { APPROVERS, bake, latestChange, rolloutHarness } from '../support/rollout-harness.js';

const CLUSTER = 'domino-sandbox-eks';
const EKS: EksSettings = {
  cluster: CLUSTER,
  nodegroups: [],
  nodePools: ['default', 'compute', 'gpu'],
  nodePoolLabel: NODE_POOL_LABEL,
  force: false,
  terraformTagKeys: [],
  runningWork: 'evict',
};

type Deployments = Pick<Config, 'deployments'>;
const deployments = (...list: Array<{ name: string; kind: 'hardware-tiers' | 'eks-node-groups'; eks?: EksSettings }>) =>
  ({ deployments: list }) as unknown as Deployments;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('sandbox world for the configured deployments', () => {
  it('seeds a cluster named after eks.cluster only for an eks-node-groups deployment, its template a node', () => {
    expect(sandboxWorldOptions(deployments({ name: 'acme', kind: 'hardware-tiers' }))).toEqual({ deployment: 'acme' });
    expect(sandboxWorldOptions(deployments({ name: 'acme', kind: 'eks-node-groups', eks: EKS }))).toEqual({
      deployment: 'acme',
      seedEks: { cluster: CLUSTER, deployment: 'acme', nodeTemplate: true },
    });
    // The world's template belongs to the first deployment: a second, EKS one gets the cluster, not the template.
    const second = deployments(
      { name: 'acme', kind: 'hardware-tiers' },
      { name: 'k8s', kind: 'eks-node-groups', eks: EKS },
    );
    expect(sandboxWorldOptions(second).seedEks).toEqual({ cluster: CLUSTER, deployment: 'k8s', nodeTemplate: false });
    const sim = createSimulator({
      clock: createManualClock(new Date('2026-12-03T10:00:00Z')),
      write: () => {},
      ...sandboxWorldOptions(second),
    });
    const node = [...sim.world.images.values()].find((image) => image.tags['ami-bot:deployment'] === 'k8s');
    expect(node?.name).toMatch(/^domino-k8s-default_compute-node-\d{8}-\d{4}$/);
    // The AMI test's keys: a hardware tier of eks.testHardwareTier on the pool of the test node group, alone in it.
    const tested = { ...EKS, testNodegroup: 'test-us-west-2a', testHardwareTier: 'test-pool' };
    const options = sandboxWorldOptions(deployments({ name: 'acme', kind: 'eks-node-groups', eks: tested }));
    expect(options.seedEks?.testHardwareTier).toBe('test-pool');
    const withTest = createSimulator({ clock: createManualClock(new Date()), write: () => {}, ...options }).world;
    expect(withTest.tiers.find((tier) => tier.doc._id === 'test-pool')?.doc.nodePool).toBe('test');
    const pools = [...withTest.clusters.get(CLUSTER)!.nodegroups.values()].filter(
      (ng) => ng.labels[NODE_POOL_LABEL] === 'test',
    );
    expect(pools.map((ng) => ng.name)).toEqual(['test-us-west-2a']);
  });

  it('bake on containerd, plan, two-person approval and apply work end to end on the sandbox cluster', async () => {
    const sim = createSimulator({
      clock: createManualClock(new Date()),
      write: () => {},
      ...sandboxWorldOptions(deployments({ name: 'acme', kind: 'eks-node-groups', eks: EKS })),
    });
    const world = sim.world;
    h = await rolloutHarness(
      (config) => {
        config.sandbox = true;
        Object.assign(config.deployments[0]!, { kind: 'eks-node-groups', eks: EKS });
      },
      { world, eks: true },
    );
    const cluster = world.clusters.get(CLUSTER);
    expect(cluster, 'the sandbox cluster is named after eks.cluster').toBeDefined();
    const baked = await bake(h);
    expect(baked.facts.containerRuntime).toBe('ctr');
    expect(baked.steps.highstate?.state).toBe('skipped');
    const amiId = baked.facts.imageId!;

    await h.slash(`plan ${baked._id} --override-test "EKS AMI test not built yet"`, { responseId: 'plan' });
    expect(await h.answer('plan')).toContain('4 node groups to change, 2 skipped');
    const change = await latestChange(h, 'rollout');
    expect(change.requester).toBe(ADMIN);
    await h.bot.rollout.idle();
    await h.click(ACTION_IDS.approve, change._id, { userId: APPROVERS[0], responseId: 'approve' });
    await h.bot.rollout.idle();
    expect((await h.store.changes.get(change._id))?.result).toMatchObject({ status: 'applied', conflicts: [] });
    for (const name of ['default-us-west-2a', 'default-us-west-2b', 'compute-us-west-2a', 'compute-us-west-2b']) {
      const ng = cluster!.nodegroups.get(name)!;
      expect(ng.launchTemplate?.version).toBe('2');
      expect(
        world.launchTemplates
          .get(ng.launchTemplate!.id)
          ?.versions.map((v) => v.imageId)
          .at(-1),
      ).toBe(amiId);
      expect(ng.nodeIds.map((id) => world.instances.get(id)?.imageId)).toEqual([amiId]);
    }
    expect(cluster!.nodegroups.get('gpu-us-west-2a')?.launchTemplate?.version).toBe('1');
  });
});
