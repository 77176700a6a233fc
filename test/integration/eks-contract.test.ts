// The EKS and launch template port contracts, run against the simulator and against the real adapters on moto's
// EKS and EC2 servers (moto has no UpdateNodegroupVersion / DescribeUpdate, nor CreateLaunchTemplateVersion's
// SourceVersion and ClientToken: test/support/moto-eks.ts says what stands in for those and how).
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EKSClient } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEksAdapter } from '../../src/adapters/aws/eks-adapter.js';
import { createLaunchTemplatesAdapter } from '../../src/adapters/aws/launch-templates-adapter.js';
import { createManualClock, createSimulator, NODE_POOL_LABEL, seedEksCluster } from '../../src/sim/index.js';
import { DEPLOYMENT_TAG } from '../../src/sim/sim-domino-api.js';
import { addLaunchTemplateVersion } from '../../src/sim/sim-launch-templates.js';
import type { SimWorld } from '../../src/sim/sim-world.js';
import { appErrorOf } from '../contract/app-error-of.js';
import { type EksSeed, eksPortContract } from '../contract/eks-port.contract.js';
import { launchTemplatePortContract } from '../contract/launch-template-port.contract.js';
import { type MotoServer, startMoto } from '../support/moto.js';
import {
  eksUpdateStandIn,
  type MotoLaunchTemplatesClient,
  motoEksClient,
  motoLaunchTemplateData,
  motoLaunchTemplatesClient,
  seedMotoEks,
  seedMotoLaunchTemplate,
} from '../support/moto-eks.js';

const NEW_AMI = 'ami-0aaaaaaaaaaaaaaa1';
const OTHER_AMI = 'ami-0aaaaaaaaaaaaaaa2';

function simEks() {
  const clock = createManualClock();
  const sim = createSimulator({ clock, write: () => {}, seedWorld: false });
  const seeded = seedEksCluster(sim.world);
  return { clock, sim, seeded };
}

/** Version 2 of a template: version 1 with another AMI, what a change of ami-bot's would have made. */
function addVersion2(world: SimWorld, templateId: string, imageId: string): void {
  const template = world.launchTemplates.get(templateId)!;
  const v1 = template.versions[0]!;
  addLaunchTemplateVersion(template, { ...v1, imageId, description: 'version 2', data: structuredClone(v1.data) });
}

eksPortContract('simulator', async () => {
  const { clock, sim, seeded } = simEks();
  const [nodegroup, otherNodegroup] = seeded.pools.compute as [string, string];
  const templateId = seeded.templateIds[nodegroup]!;
  const otherTemplateId = seeded.templateIds[otherNodegroup]!;
  addVersion2(sim.world, templateId, NEW_AMI);
  addVersion2(sim.world, otherTemplateId, NEW_AMI);
  return {
    eks: sim.eks,
    seed: {
      cluster: seeded.cluster,
      nodegroups: seeded.nodegroups,
      nodegroup,
      templateId,
      templateName: sim.world.launchTemplates.get(templateId)!.name,
      labels: { [NODE_POOL_LABEL]: 'compute' },
      tags: { [DEPLOYMENT_TAG]: seeded.cluster },
      otherNodegroup,
      otherTemplateId,
      withoutTemplate: 'platform',
      withoutTemplateAmiType: 'AL2_x86_64',
    },
    // One virtual minute per round: an update of a one-node group takes about five.
    advance: () => clock.advance(60_000),
    failUpdates: () => sim.faults.on('nodegroup-update-failed'),
  };
});

launchTemplatePortContract('simulator', async () => {
  const { sim, seeded } = simEks();
  const templateId = seeded.templateIds['compute-us-west-2a']!;
  const template = sim.world.launchTemplates.get(templateId)!;
  return {
    launchTemplates: sim.launchTemplates,
    seed: {
      templateId,
      templateName: template.name,
      templateTags: { ...template.tags },
      imageId: seeded.nodeImageId,
      description: 'created by terraform',
      newImageIds: [NEW_AMI, OTHER_AMI],
    },
    async launchTemplateData(id, version) {
      const found = sim.world.launchTemplates.get(id)?.versions[version - 1];
      return { ...found?.data, ...(found?.imageId ? { ImageId: found.imageId } : {}) };
    },
  };
});

describe('simulator: what only it shows', () => {
  it("an update replaces every node with one launched from the new version's AMI, then terminates the old", async () => {
    const { clock, sim, seeded } = simEks();
    const nodegroup = 'compute-us-west-2a';
    const ng = sim.world.clusters.get(seeded.cluster)!.nodegroups.get(nodegroup)!;
    ng.desiredSize = 2;
    const oldIds = ng.nodeIds.slice();
    const templateId = seeded.templateIds[nodegroup]!;
    const version = await sim.launchTemplates.createVersion({
      templateId,
      sourceVersion: 1,
      imageId: NEW_AMI,
      description: 'new AMI',
      clientToken: 'sim-only',
    });
    const id = await sim.eks.updateNodegroupVersion({
      cluster: seeded.cluster,
      nodegroup,
      launchTemplate: { id: templateId, version: String(version) },
      force: false,
      clientRequestToken: 'sim-only',
    });
    for (
      let i = 0;
      i < 30 && (await sim.eks.describeUpdate(seeded.cluster, nodegroup, id)).status === 'InProgress';
      i++
    ) {
      await clock.advance(60_000);
    }
    expect((await sim.eks.describeUpdate(seeded.cluster, nodegroup, id)).status).toBe('Successful');
    await clock.advance(60_000); // the last old node finishes shutting down
    sim.world.settle(clock.now().getTime());
    const nodes = ng.nodeIds.map((n) => sim.world.instances.get(n)!);
    expect(nodes).toHaveLength(2);
    for (const node of nodes) {
      expect(node).toMatchObject({ imageId: NEW_AMI, state: 'running' });
      expect(node.tags['eks:nodegroup-name']).toBe(nodegroup);
      expect(oldIds).not.toContain(node.id);
    }
    for (const old of oldIds) expect(sim.world.instances.get(old)?.state).toBe('terminated');
    // The node group next door still runs its nodes from the old AMI.
    const other = sim.world.clusters.get(seeded.cluster)!.nodegroups.get('compute-us-west-2b')!;
    expect(other.nodeIds.map((n) => sim.world.instances.get(n)?.imageId)).toEqual([seeded.nodeImageId]);
  });

  it('a node group scaled to zero updates without launching a node', async () => {
    const { clock, sim, seeded } = simEks();
    const ng = sim.world.clusters.get(seeded.cluster)!.nodegroups.get('gpu-us-west-2b')!;
    ng.desiredSize = 0;
    ng.nodeIds = [];
    addVersion2(sim.world, ng.launchTemplate!.id, NEW_AMI);
    const instances = sim.world.instances.size;
    const id = await sim.eks.updateNodegroupVersion({
      cluster: seeded.cluster,
      nodegroup: ng.name,
      launchTemplate: { id: ng.launchTemplate!.id, version: '2' },
      force: false,
      clientRequestToken: 'sim-zero',
    });
    await clock.advance(10 * 60_000);
    expect((await sim.eks.describeUpdate(seeded.cluster, ng.name, id)).status).toBe('Successful');
    expect(ng.launchTemplate?.version).toBe('2');
    expect(sim.world.instances.size).toBe(instances);
  });

  it('a failed update terminates the nodes it launched and keeps the old ones', async () => {
    const { clock, sim, seeded } = simEks();
    const nodegroup = 'default-us-west-2a';
    const ng = sim.world.clusters.get(seeded.cluster)!.nodegroups.get(nodegroup)!;
    const oldIds = ng.nodeIds.slice();
    addVersion2(sim.world, seeded.templateIds[nodegroup]!, NEW_AMI);
    sim.faults.on('nodegroup-update-failed');
    const id = await sim.eks.updateNodegroupVersion({
      cluster: seeded.cluster,
      nodegroup,
      launchTemplate: { id: seeded.templateIds[nodegroup]!, version: '2' },
      force: false,
      clientRequestToken: 'sim-fails',
    });
    await clock.advance(15 * 60_000);
    expect((await sim.eks.describeUpdate(seeded.cluster, nodegroup, id)).status).toBe('Failed');
    await clock.advance(60_000);
    sim.world.settle(clock.now().getTime());
    expect(ng.nodeIds).toEqual(oldIds);
    expect(sim.world.instances.get(oldIds[0]!)?.state).toBe('running');
    const launched = ng.updates[0]!.launchedIds.map((n) => sim.world.instances.get(n));
    expect(launched.map((n) => [n?.imageId, n?.state])).toEqual([[NEW_AMI, 'terminated']]);
  });

  it("a client token reused for another request is EC2's IdempotentParameterMismatch, and creates nothing", async () => {
    const { sim, seeded } = simEks();
    const templateId = seeded.templateIds['compute-us-west-2a']!;
    const input = { templateId, sourceVersion: 1, imageId: NEW_AMI, description: 'first', clientToken: 'ch-9' };
    expect(await sim.launchTemplates.createVersion(input)).toBe(2);
    const error = await appErrorOf(sim.launchTemplates.createVersion({ ...input, imageId: OTHER_AMI }));
    expect(error.code).toBe('aws_IdempotentParameterMismatch');
    expect(sim.world.launchTemplates.get(templateId)?.versions).toHaveLength(2);
  });

  it('seeds a Domino-like cluster: default, compute and gpu per zone, a test pool and two special node groups', () => {
    const { sim, seeded } = simEks();
    expect(seeded.pools).toEqual({
      default: ['default-us-west-2a', 'default-us-west-2b'],
      compute: ['compute-us-west-2a', 'compute-us-west-2b'],
      gpu: ['gpu-us-west-2a', 'gpu-us-west-2b'],
      test: ['test-us-west-2a'],
      platform: ['platform'],
      legacy: ['legacy-us-west-2a'],
    });
    const groups = sim.world.clusters.get(seeded.cluster)!.nodegroups;
    expect(groups.get('platform')).toMatchObject({ amiType: 'AL2_x86_64' });
    expect(groups.get('platform')?.launchTemplate).toBeUndefined();
    const legacy = groups.get('legacy-us-west-2a')!;
    expect(legacy.amiType).toBe('AL2_x86_64');
    expect(sim.world.launchTemplates.get(legacy.launchTemplate!.id)?.versions[0]?.imageId).toBeUndefined();
    const gpuTemplate = sim.world.launchTemplates.get(seeded.templateIds['gpu-us-west-2a']!)!;
    expect(gpuTemplate.versions[0]?.imageId).toBe(seeded.gpuImageId);
    for (const ng of groups.values()) expect(ng.nodeIds).toHaveLength(1);
  });
});

let moto: MotoServer | undefined;
let ec2: MotoLaunchTemplatesClient | undefined;
let eks: EKSClient | undefined;
// The EKS cases change nothing in moto (their updates live in the stand-in), so one cluster serves them all; each
// launch template case gets a template of its own. No reset: seeding is most of a case's time on moto.
let eksSeed: Promise<EksSeed> | undefined;
let templates = 0;
const sharedEksSeed = () => {
  eksSeed ??= seedMotoEks(eks!, ec2!.client);
  return eksSeed;
};
const freshTemplate = () => seedMotoLaunchTemplate(ec2!.client, `acme-compute-us-east-1a-${++templates}`);

beforeAll(async () => {
  moto = await startMoto();
  ec2 = motoLaunchTemplatesClient(moto.endpoint);
  eks = motoEksClient(moto.endpoint);
  // moto loads its EKS and EC2 backends on the first request (seconds on a busy machine): here, not in a case.
  await sharedEksSeed();
});

afterAll(async () => {
  ec2?.client.destroy();
  eks?.destroy();
  await moto?.stop();
});

eksPortContract('real adapter on moto (UpdateNodegroupVersion and DescribeUpdate on a stand-in)', async () => {
  const seed = await sharedEksSeed();
  const standIn = eksUpdateStandIn(eks!, ec2!.client);
  return {
    eks: createEksAdapter(standIn.client),
    seed,
    advance: async () => standIn.advance(),
    failUpdates: () => standIn.failUpdates(),
  };
});

launchTemplatePortContract('real adapter on moto', async () => {
  const client: EC2Client = ec2!.client;
  return {
    launchTemplates: createLaunchTemplatesAdapter(client),
    seed: await freshTemplate(),
    launchTemplateData: (id, version) => motoLaunchTemplateData(client, id, version),
  };
});

describe('real adapters on moto: what they send', () => {
  it('CreateLaunchTemplateVersion: SourceVersion, only ImageId, the description and the ClientToken', async () => {
    const seed = await freshTemplate();
    const before = ec2!.createRequests.length;
    await createLaunchTemplatesAdapter(ec2!.client).createVersion({
      templateId: seed.templateId,
      sourceVersion: 1,
      imageId: NEW_AMI,
      description: 'x'.repeat(300),
      clientToken: 'ch-7-compute',
    });
    expect(ec2!.createRequests.slice(before)).toEqual([
      {
        LaunchTemplateId: seed.templateId,
        SourceVersion: '1',
        LaunchTemplateData: { ImageId: NEW_AMI },
        VersionDescription: 'x'.repeat(255),
        ClientToken: 'ch-7-compute',
      },
    ]);
  });

  it('UpdateNodegroupVersion: the launch template id and version, force as asked, the token, nothing else', async () => {
    const seed = await sharedEksSeed();
    const standIn = eksUpdateStandIn(eks!, ec2!.client);
    const adapter = createEksAdapter(standIn.client);
    for (const force of [false, true]) {
      await adapter.updateNodegroupVersion({
        cluster: seed.cluster,
        nodegroup: force ? seed.otherNodegroup : seed.nodegroup,
        launchTemplate: { id: force ? seed.otherTemplateId : seed.templateId, version: '2' },
        force,
        clientRequestToken: `token-${force}`,
      });
    }
    expect(standIn.updateRequests).toEqual([
      {
        clusterName: seed.cluster,
        nodegroupName: seed.nodegroup,
        launchTemplate: { id: seed.templateId, version: '2' },
        force: false,
        clientRequestToken: 'token-false',
      },
      {
        clusterName: seed.cluster,
        nodegroupName: seed.otherNodegroup,
        launchTemplate: { id: seed.otherTemplateId, version: '2' },
        force: true,
        clientRequestToken: 'token-true',
      },
    ]);
  });
});
