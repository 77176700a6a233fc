// An eks-node-groups deployment through signed Slack requests into the real app, on the simulator's EKS and launch
// templates: plan, two-person approval, apply (a new launch template version per node group, the node groups
// updated to it), revert (a third version with the recorded AMI), with the versions checked after each step.
import { afterEach, describe, expect, it } from 'vitest';
import { bakeImageTags } from '../../src/bake/image-tags.js';
import { addRun, NODE_POOL_LABEL, seedEksCluster } from '../../src/sim/index.js';
import { createSimWorld, seedDemoWorld } from '../../src/sim/sim-world.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import type { Harness } from '../support/bot-harness.js';
import { APPROVERS, gateReadyAmi, latestChange, rolloutHarness } from '../support/rollout-harness.js';

const COMPUTE = ['compute-us-west-2a', 'compute-us-west-2b'];

describe('rollout of an eks-node-groups deployment', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('plan → approve → apply moves the compute node groups to a new version; revert makes a third', async () => {
    const world = seedDemoWorld(createSimWorld({ deployment: 'acme' }));
    const seeded = seedEksCluster(world);
    // The seed's node groups run an AMI an earlier bake of acme made: standard. The GPU pools' custom AMI is special.
    h = await rolloutHarness(
      (config) => {
        const deployment = config.deployments[0]!;
        deployment.kind = 'eks-node-groups';
        deployment.eks = {
          cluster: seeded.cluster,
          nodegroups: [],
          nodePools: ['compute', 'gpu'],
          nodePoolLabel: NODE_POOL_LABEL,
          force: false,
          terraformTagKeys: ['managed-by'],
          runningWork: 'evict',
        };
      },
      { world, eks: true },
    );
    const { amiId, bake } = await gateReadyAmi(h);
    expect(world.images.get(amiId)?.tags).toEqual(bakeImageTags(bake));
    const versions = (name: string) => world.launchTemplates.get(seeded.templateIds[name]!)!.versions;
    const nodegroup = (name: string) => world.clusters.get(seeded.cluster)!.nodegroups.get(name)!;

    // The seeded launch templates carry Terraform's tags: the plan is refused until the admin accepts the drift.
    await h.slash(`plan ${bake._id}`, { responseId: 'drift' });
    const refused = await h.answer('drift');
    expect(refused).toContain('drift from the Terraform state');
    expect(refused).toContain(`additional_node_groups.compute-us-west-2a.ami = "${amiId}"`);
    expect(refused).toContain('--accept-terraform-drift');
    expect(await h.store.changes.listOpen()).toEqual([]);
    await h.slash(`plan ${bake._id} --accept-terraform-drift`, { responseId: 'plan' });
    const planned = await h.answer('plan');
    expect(planned).toContain('2 node groups to change');
    expect(planned).not.toMatch(/\btiers?\b/);
    const change = await latestChange(h, 'rollout');
    expect(change.notices?.map((n) => n.key)).toEqual(change.updates.map((u) => u.key));
    const planMessage = h.fake.calls.find(
      (c) => c.method === 'chat.postMessage' && JSON.stringify(c.args.blocks ?? '').includes(change._id),
    );
    expect(JSON.stringify(planMessage?.args.blocks)).toContain('*Drifts from Terraform*');
    expect(change.updates.map((u) => u.id)).toEqual(COMPUTE);
    expect(change.skipped.map((s) => [s.id, s.reason])).toEqual([
      ['gpu-us-west-2a', 'special'],
      ['gpu-us-west-2b', 'special'],
    ]);
    for (const name of COMPUTE) expect(versions(name)).toHaveLength(1);
    await h.bot.rollout.idle();
    // A change not applied yet has nothing to drain: said in the node groups' words, not the tiers' executors.
    await h.slash(`drain ${change._id}`, { responseId: 'drain-pending' });
    expect(await h.answer('drain-pending')).toContain(
      `${change._id} is a rollout that is pending: only an applied node group change has old nodes to drain.`,
    );

    // A user's run on a compute tier: the apply says in the thread that it will be evicted (eks.runningWork evict).
    addRun(world, { tierId: 'small-k8s', project: { owner: 'ana', name: 'churn' }, user: 'ana' });
    await h.click(ACTION_IDS.approve, change._id, { userId: APPROVERS[0], responseId: 'approve' });
    await h.bot.rollout.idle();
    const applied = await h.store.changes.get(change._id);
    expect(applied?.result).toMatchObject({ status: 'applied', conflicts: [], unverified: [] });
    expect(applied?.result?.verified).toHaveLength(2);
    for (const name of COMPUTE) {
      expect(versions(name).map((v) => v.imageId)).toEqual([seeded.nodeImageId, amiId]);
      expect(nodegroup(name).launchTemplate?.version).toBe('2');
      expect(nodegroup(name).updates.map((u) => u.status)).toEqual(['Successful']);
    }
    expect(versions('gpu-us-west-2a')).toHaveLength(1);
    // The apply result is posted in the change's thread.
    const posted = h.fake.calls.filter((c) => c.method === 'chat.postMessage').map((c) => String(c.args.text ?? ''));
    expect(posted.some((text) => text.startsWith(`${change._id} applied: 2 node group(s) changed`))).toBe(true);
    expect(posted.some((text) => text.includes('1 running run on node pools compute will be evicted'))).toBe(true);
    expect(posted.some((text) => text.includes('ana/churn (ana, Running)'))).toBe(true);
    // The drain after the apply: EKS replaced the nodes itself, so there is nothing to terminate.
    expect(posted.some((text) => text.includes(`Drain after ${change._id}: nothing to terminate. EKS drained`))).toBe(
      true,
    );
    await h.slash(`drain ${change._id}`, { responseId: 'drain' });
    expect(await h.answer('drain')).toContain(
      `Nothing to drain after ${change._id}: the node groups it changed replaced their nodes`,
    );

    await h.slash(`revert ${change._id}`, { responseId: 'revert' });
    const revert = await latestChange(h, 'revert');
    await h.bot.rollout.idle();
    await h.click(ACTION_IDS.approve, revert._id, { userId: APPROVERS[1], responseId: 'revert-ok' });
    await h.bot.rollout.idle();
    expect((await h.store.changes.get(revert._id))?.result).toMatchObject({ status: 'applied', conflicts: [] });
    for (const name of COMPUTE) {
      expect(versions(name).map((v) => v.imageId)).toEqual([seeded.nodeImageId, amiId, seeded.nodeImageId]);
      expect(nodegroup(name).launchTemplate?.version).toBe('3');
    }
  });
});
