// An eks-node-groups deployment through signed Slack requests into the real app, with the REAL EKS and launch
// template adapters on moto's server: a Domino-like cluster (three compute node groups, one per zone, each on its
// own launch template; a GPU pool on a custom AMI and a platform pool on an EKS AMI type, both special) created in
// moto as fixtures, and moto's launch template versions checked after every step. moto 5.2.5 lacks
// UpdateNodegroupVersion and DescribeUpdate, and ignores CreateLaunchTemplateVersion's SourceVersion and ClientToken:
// test/support/moto-eks.ts says what stands in for those (the real EKS client under aws-sdk-client-mock for the two
// calls, each update taking two steps of the bot's clock; DescribeNodegroup shows the finished update on top of moto).
// The AMI comes from the simulator's EC2 (gateReadyAmi: registered with a succeeded bake's tags and a proven test):
// the bake and test gate are the hardware-tier e2e tests' subject, the launch templates and node groups this one's.
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplateVersionsCommand,
  type RequestLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateNodegroupCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  type EKSClient,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEksAdapter } from '../../src/adapters/aws/eks-adapter.js';
import { createLaunchTemplatesAdapter } from '../../src/adapters/aws/launch-templates-adapter.js';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import type { EksPort } from '../../src/ports/eks.js';
import type { LaunchTemplatePort } from '../../src/ports/launch-templates.js';
import type { ChangeRecord } from '../../src/rollout/change-record.js';
import { nodegroupKey } from '../../src/rollout/targets/eks-node-groups.js';
import { NODE_POOL_LABEL } from '../../src/sim/index.js';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { DEMO_IDS } from '../../src/sim/seed-demo-world.js';
import { createSimWorld, type SimWorld, seedDemoWorld } from '../../src/sim/sim-world.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { ADMIN, ADMIN2, type Harness } from '../support/bot-harness.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { uniqueDbName } from '../support/mongo.js';
import { type MotoServer, startMoto } from '../support/moto.js';
import {
  type EksUpdateStandIn,
  eksUpdateStandIn,
  type MotoLaunchTemplatesClient,
  motoEksClient,
  motoLaunchTemplatesClient,
} from '../support/moto-eks.js';
import {
  APPROVERS,
  bake,
  gateReadyAmi,
  latestChange,
  recordProvenTest,
  rolloutHarness,
  until,
} from '../support/rollout-harness.js';

const CLUSTER = 'acme';
const ACCOUNT = '123456789012';
const SUBNETS = ['subnet-0a1b2c3d4e5f60718'];
const COMPUTE = ['compute-us-east-1a', 'compute-us-east-1b', 'compute-us-east-1c'];
const GPU = 'gpu-us-east-1a';
const PLATFORM = 'platform-us-east-1a';

/** What Domino's terraform module puts in a node group's launch template: all of it must survive a new version. */
const templateData = (
  imageId: string,
  instanceType: RequestLaunchTemplateData['InstanceType'],
): RequestLaunchTemplateData => ({
  ImageId: imageId,
  InstanceType: instanceType,
  UserData: Buffer.from('#!/bin/bash\n/etc/eks/bootstrap.sh acme --kubelet-extra-args "--max-pods=58"\n').toString(
    'base64',
  ),
  MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
  BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 1000, VolumeType: 'gp3', Encrypted: true } }],
  TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'domino-deployment', Value: CLUSTER }] }],
});

interface MotoCluster {
  ec2: MotoLaunchTemplatesClient;
  eks: EKSClient;
  standIn: EksUpdateStandIn;
  templateIds: Record<string, string>;
  computeAmi: string;
  gpuAmi: string;
}

/**
 * The cluster in moto, created through the SDK as Domino's terraform would: the compute node groups run the
 * pipeline AMI small-k8s uses in the demo world (standard), the GPU one the world's custom GPU AMI (special).
 */
async function seedCluster(
  endpoint: string,
  world: SimWorld,
  clock: Harness['clock'],
  terraformManaged: readonly string[] = [],
): Promise<MotoCluster> {
  const imageOf = (tier: string) => world.tiers.find((t) => t.doc._id === tier)!.doc.executorImage;
  const computeAmi = imageOf('small-k8s');
  const gpuAmi = imageOf('gpu');
  const ec2 = motoLaunchTemplatesClient(endpoint);
  const eks = motoEksClient(endpoint);
  await eks.send(
    new CreateClusterCommand({
      name: CLUSTER,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/acme-eks-cluster`,
      resourcesVpcConfig: { subnetIds: SUBNETS },
    }),
  );
  const templateIds: Record<string, string> = {};
  const nodegroup = async (name: string, pool: string, data?: RequestLaunchTemplateData) => {
    if (data) {
      const out = await ec2.client.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: `${CLUSTER}-${name}`,
          VersionDescription: 'created by terraform',
          LaunchTemplateData: data,
          ...(terraformManaged.includes(name)
            ? {
                TagSpecifications: [
                  { ResourceType: 'launch-template', Tags: [{ Key: 'managed-by', Value: 'terraform' }] },
                ],
              }
            : {}),
        }),
      );
      templateIds[name] = out.LaunchTemplate!.LaunchTemplateId!;
    }
    const id = templateIds[name];
    await eks.send(
      new CreateNodegroupCommand({
        clusterName: CLUSTER,
        nodegroupName: name,
        nodeRole: `arn:aws:iam::${ACCOUNT}:role/acme-eks-nodes`,
        subnets: SUBNETS,
        scalingConfig: { minSize: 0, maxSize: 10, desiredSize: 1 },
        labels: { [NODE_POOL_LABEL]: pool },
        tags: { 'domino-deployment': CLUSTER },
        ...(id ? { amiType: 'CUSTOM', launchTemplate: { id, version: '1' } } : { amiType: 'AL2_x86_64' }),
      }),
    );
  };
  for (const name of COMPUTE) await nodegroup(name, 'compute', templateData(computeAmi, 'm5.2xlarge'));
  await nodegroup(GPU, 'gpu', templateData(gpuAmi, 'p3.2xlarge'));
  await nodegroup(PLATFORM, 'platform');
  // Two steps of the bot's clock per update (two minutes): the apply sees InProgress before Successful.
  const standIn = eksUpdateStandIn(eks, ec2.client, { clock, stepMs: 60_000 });
  return { ec2, eks, standIn, templateIds, computeAmi, gpuAmi };
}

/** What a new app is given: fresh adapters on the same EKS and EC2 (their stand-ins keep the servers' memory). */
const realPorts = (moto: MotoCluster): { eks: EksPort; launchTemplates: LaunchTemplatePort } => ({
  eks: createEksAdapter(moto.standIn.client),
  launchTemplates: createLaunchTemplatesAdapter(moto.ec2.client),
});

/** Every version of a node group's launch template as moto stores it, in order. */
async function versions(moto: MotoCluster, name: string) {
  const out = await moto.ec2.client.send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: moto.templateIds[name] }),
  );
  return (out.LaunchTemplateVersions ?? [])
    .map((v) => ({ number: v.VersionNumber!, data: { ...v.LaunchTemplateData } as Record<string, unknown> }))
    .sort((a, b) => a.number - b.number);
}

/** The launch template version the node group runs, as DescribeNodegroup reports it. */
async function nodegroupVersion(moto: MotoCluster, name: string): Promise<string | undefined> {
  const out = await moto.standIn.client.send(
    new DescribeNodegroupCommand({ clusterName: CLUSTER, nodegroupName: name }),
  );
  return out.nodegroup?.launchTemplate?.version;
}

const eksDeployment =
  (tweak?: (config: Harness['config']) => void) =>
  (config: Harness['config']): void => {
    const deployment = config.deployments[0]!;
    deployment.kind = 'eks-node-groups';
    deployment.eks = {
      cluster: CLUSTER,
      nodegroups: [],
      nodePools: ['compute', 'gpu', 'platform'],
      nodePoolLabel: NODE_POOL_LABEL,
      force: false,
      terraformTagKeys: [],
      runningWork: 'evict',
    };
    tweak?.(config);
  };

/** The posts in a change's thread (its plan message's thread) by any process, from the `from`-th post on. */
function threadOf(fake: FakeSlack, change: ChangeRecord, from = 0): string[] {
  const root = change.threadTs ?? change.message?.ts;
  return fake
    .callsTo('chat.postMessage')
    .slice(from)
    .filter((c) => root !== undefined && c.args.thread_ts === root)
    .map((c) => JSON.stringify({ text: c.args.text, blocks: c.args.blocks }));
}

/** Plans the rollout of a gate-ready AMI (or of `baked`) as ADMIN and waits for the announcement. */
async function plan(h: Harness, baked?: BakeRecord): Promise<{ amiId: string; change: ChangeRecord }> {
  const { amiId, bake } = baked ? { amiId: baked.facts.imageId!, bake: baked } : await gateReadyAmi(h);
  await h.slash(`plan ${bake._id}`, { responseId: 'plan' });
  const change = await latestChange(h, 'rollout');
  await h.bot.rollout.idle();
  return { amiId, change };
}

let server: MotoServer;
beforeAll(async () => {
  server = await startMoto();
}, 180_000);
afterAll(async () => {
  await server?.stop();
});
beforeEach(async () => {
  await server.reset();
});

describe('an eks-node-groups rollout on moto through the real app', () => {
  const opened: Harness[] = [];
  let fake: FakeSlack | undefined;
  afterEach(async () => {
    for (const h of opened.splice(0)) await h.close();
    await fake?.close();
    fake = undefined;
  });
  const start = async (options: Parameters<typeof rolloutHarness>[1], tweak?: (c: Harness['config']) => void) => {
    const h = await rolloutHarness(eksDeployment(tweak), options);
    opened.push(h);
    return h;
  };

  it('plan → two-person approval → apply → verify → revert, moto versions checked after each step', async () => {
    const world = seedDemoWorld(createSimWorld({ deployment: 'acme' }));
    const clock = createManualClock(new Date());
    const moto = await seedCluster(server.endpoint, world, clock);
    const h = await start({ world, clock, eksPorts: realPorts(moto) }, (config) => {
      // The demo world's template has docker (the bake's containerd paths: test/e2e/bake-containerd.test.ts).
      config.deployments[0]!.containerRuntime = 'docker';
    });
    const v1 = Object.fromEntries(
      await Promise.all([...COMPUTE, GPU].map(async (n) => [n, (await versions(moto, n))[0]!.data] as const)),
    );

    // Bake through the app on the simulator's EC2 and SSM. The AMI test on a test node group would need the nodes
    // EKS launches, which moto does not run: the passed test that proved an executor is recorded as /ami test
    // leaves it (the test gate itself: test/e2e/rollout-gate.test.ts).
    const baked = await bake(h);
    expect(world.images.get(baked.facts.imageId!)?.tags).toMatchObject({
      'ami-bot:bake-id': baked._id,
      'ami-bot:deployment': 'acme',
    });
    const test = await recordProvenTest(h, baked.facts.imageId!, { bakeId: baked._id, previousAmi: moto.computeAmi });

    // Plan: the three compute node groups, guarded by their template version; nothing written to moto.
    const { amiId, change } = await plan(h, baked);
    expect(change.gate?.test?.id).toBe(test._id);
    expect(change.updates.map((u) => [u.id, u.from, u.to, u.guard])).toEqual(
      COMPUTE.map((n) => [n, moto.computeAmi, amiId, `${moto.templateIds[n]}:1`]),
    );
    expect(change.skipped.map((s) => [s.id, s.reason])).toEqual([
      [GPU, 'special'],
      [PLATFORM, 'special'],
    ]);
    for (const name of [...COMPUTE, GPU]) expect((await versions(moto, name)).map((v) => v.number)).toEqual([1]);
    expect(moto.ec2.createRequests).toEqual([]);
    expect(moto.standIn.updateRequests).toEqual([]);
    // Announced: a post in the announcement channel, recorded on the change.
    expect(h.fake.callsTo('chat.postMessage').some((c) => c.args.channel === DEMO_IDS.announceChannel)).toBe(true);
    expect((await h.store.changes.get(change._id))?.announcement).toBeDefined();

    // Two-person rule: the requester's own approval changes nothing; another admin's applies.
    await h.click(ACTION_IDS.approve, change._id, { userId: ADMIN, responseId: 'own' });
    await h.answer('own');
    await h.bot.rollout.idle();
    expect((await h.store.changes.get(change._id))?.status).toBe('pending');
    expect(moto.ec2.createRequests).toEqual([]);
    const postsBefore = h.fake.callsTo('chat.postMessage').length;
    await h.click(ACTION_IDS.approve, change._id, { userId: APPROVERS[0], responseId: 'approve' });
    await h.bot.rollout.idle();

    // Apply: exactly one new version per compute node group, the source version with only ImageId changed.
    const applied = await h.store.changes.get(change._id);
    expect(applied?.decision?.by).not.toBe(ADMIN);
    expect(applied?.result).toMatchObject({ status: 'applied', conflicts: [], unverified: [] });
    for (const name of COMPUTE) {
      const all = await versions(moto, name);
      expect(all.map((v) => v.number)).toEqual([1, 2]);
      expect(all[1]!.data).toEqual({ ...v1[name], ImageId: amiId });
      expect(await nodegroupVersion(moto, name)).toBe('2');
    }
    expect(moto.ec2.createRequests.map((r) => [r.LaunchTemplateId, r.SourceVersion, r.LaunchTemplateData])).toEqual(
      COMPUTE.map((n) => [moto.templateIds[n], '1', { ImageId: amiId }]),
    );
    expect(moto.standIn.updateRequests.map((r) => [r.nodegroupName, r.launchTemplate, r.force])).toEqual(
      COMPUTE.map((n) => [n, { id: moto.templateIds[n], version: '2' }, false]),
    );
    // Each update was followed on the clock from InProgress until EKS said Successful.
    for (const name of COMPUTE) {
      const seen = moto.standIn.describeAnswers.filter((a) => a.nodegroup === name).map((a) => a.status);
      expect(seen[0]).toBe('InProgress');
      expect(seen.at(-1)).toBe('Successful');
      expect(seen.filter((s) => s === 'Successful')).toHaveLength(1);
    }
    // The special node groups are untouched.
    expect((await versions(moto, GPU)).map((v) => v.number)).toEqual([1]);
    expect(await nodegroupVersion(moto, GPU)).toBe('1');

    // Verify: the app re-read every node group from moto and found the new AMI on its version.
    expect([...(applied?.result?.verified ?? [])].sort()).toEqual(COMPUTE.map((n) => nodegroupKey(CLUSTER, n)));
    // Reported in the thread (its wording per kind is the presenter's tests' subject).
    expect(threadOf(h.fake, change, postsBefore).some((post) => post.includes(change._id))).toBe(true);

    // Revert (requested by a second admin, approved by a third person): one more version with the recorded AMI.
    await h.slash(`revert ${change._id}`, { userId: ADMIN2, responseId: 'revert' });
    const revert = await latestChange(h, 'revert');
    expect(revert.updates.map((u) => [u.id, u.to, u.guard])).toEqual(
      COMPUTE.map((n) => [n, moto.computeAmi, `${moto.templateIds[n]}:2`]),
    );
    await h.bot.rollout.idle();
    for (const name of COMPUTE) expect((await versions(moto, name)).map((v) => v.number)).toEqual([1, 2]);
    await h.click(ACTION_IDS.approve, revert._id, { userId: APPROVERS[1], responseId: 'revert-ok' });
    await h.bot.rollout.idle();
    expect((await h.store.changes.get(revert._id))?.result).toMatchObject({ status: 'applied', conflicts: [] });
    for (const name of COMPUTE) {
      const all = await versions(moto, name);
      expect(all.map((v) => v.number)).toEqual([1, 2, 3]);
      // Version 2 with the recorded AMI back: version 1's data again.
      expect(all[2]!.data).toEqual(v1[name]);
      expect(await nodegroupVersion(moto, name)).toBe('3');
    }
    expect(moto.ec2.createRequests.slice(3).map((r) => [r.SourceVersion, r.LaunchTemplateData])).toEqual(
      COMPUTE.map(() => ['2', { ImageId: moto.computeAmi }]),
    );
    expect(moto.standIn.updateRequests.slice(3).map((r) => [r.nodegroupName, r.launchTemplate?.version])).toEqual(
      COMPUTE.map((n) => [n, '3']),
    );
    expect((await versions(moto, GPU)).map((v) => v.number)).toEqual([1]);
  });

  it('a node group moved by someone else between plan and apply is a conflict, reported and left untouched', async () => {
    const world = seedDemoWorld(createSimWorld({ deployment: 'acme' }));
    const clock = createManualClock(new Date());
    const moto = await seedCluster(server.endpoint, world, clock);
    const h = await start({ world, clock, eksPorts: realPorts(moto) });
    const { amiId, change } = await plan(h);
    const [first, moved, last] = COMPUTE as [string, string, string];

    // Someone else makes version 2 of the middle node group's template (a bigger instance type) and moves it there.
    const someoneElse = motoLaunchTemplatesClient(server.endpoint);
    await someoneElse.client.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: moto.templateIds[moved],
        SourceVersion: '1',
        LaunchTemplateData: { InstanceType: 'm5.4xlarge' },
      }),
    );
    const theirs = await moto.standIn.client.send(
      new UpdateNodegroupVersionCommand({
        clusterName: CLUSTER,
        nodegroupName: moved,
        launchTemplate: { id: moto.templateIds[moved], version: '2' },
      }),
    );
    await until('their update', async () => {
      const out = await moto.standIn.client.send(
        new DescribeUpdateCommand({ name: CLUSTER, nodegroupName: moved, updateId: theirs.update!.id! }),
      );
      return out.update?.status === 'Successful' ? true : undefined;
    });
    const theirVersions = await versions(moto, moved);
    const updatesBefore = moto.standIn.updateRequests.length;
    // The plan's own replies list the node groups: only what is posted from the apply on is its report.
    const postsBefore = h.fake.callsTo('chat.postMessage').length;

    await h.click(ACTION_IDS.approve, change._id, { userId: APPROVERS[0], responseId: 'approve' });
    await h.bot.rollout.idle();

    const done = await h.store.changes.get(change._id);
    expect(done?.result?.conflicts.map((c) => [c.id, c.expected])).toEqual([[moved, `${moto.templateIds[moved]}:1`]]);
    expect(done?.result?.conflicts[0]?.found).toContain('version 2');
    expect([...(done?.result?.verified ?? [])].sort()).toEqual([first, last].map((n) => nodegroupKey(CLUSTER, n)));
    // Left untouched: their two versions as they made them, still on theirs, no request of the bot's for it.
    expect(await versions(moto, moved)).toEqual(theirVersions);
    expect(await nodegroupVersion(moto, moved)).toBe('2');
    expect(moto.ec2.createRequests.map((r) => r.LaunchTemplateId)).toEqual(
      [first, last].map((n) => moto.templateIds[n]),
    );
    expect(moto.standIn.updateRequests.slice(updatesBefore).map((r) => r.nodegroupName)).toEqual([first, last]);
    for (const name of [first, last]) {
      expect((await versions(moto, name)).map((v) => v.data.ImageId)).toEqual([moto.computeAmi, amiId]);
    }
    // Reported in the thread, naming the node group.
    const report = threadOf(h.fake, change, postsBefore);
    expect(report.some((post) => post.includes(change._id) && post.includes(moved))).toBe(true);
  });

  it('drift never accepted for a template Terraform manages: the revert is refused naming it, moto unchanged, until the flag', async () => {
    const world = seedDemoWorld(createSimWorld({ deployment: 'acme' }));
    const clock = createManualClock(new Date());
    const managed = COMPUTE[1]!;
    const moto = await seedCluster(server.endpoint, world, clock, [managed]);
    fake = await startFakeSlack();
    const database = uniqueDbName('eks-revert-drift');
    // Planned and applied while eks.terraformTagKeys named no tag the template carries: no drift was accepted.
    const first = await start({ world, clock, fake, database, eksPorts: realPorts(moto) });
    const { amiId, change } = await plan(first);
    expect(change.notices).toBeUndefined();
    await first.click(ACTION_IDS.approve, change._id, { userId: APPROVERS[0], responseId: 'approve' });
    await first.bot.rollout.idle();
    expect((await first.store.changes.get(change._id))?.result).toMatchObject({ status: 'applied', conflicts: [] });
    await first.close();
    opened.splice(opened.indexOf(first), 1);

    // Restarted with the tag Terraform puts on the middle template among eks.terraformTagKeys.
    const h = await start({ world, clock, fake, database, eksPorts: realPorts(moto) }, (config) => {
      config.deployments[0]!.eks!.terraformTagKeys = ['managed-by'];
    });
    await h.slash(`revert ${change._id}`, { userId: ADMIN2, responseId: 'revert' });
    const refused = await h.answer('revert');
    expect(refused).toContain(`The revert of ${change._id} would drift from the Terraform state`);
    expect(refused).toContain(`node group ${managed} (pool compute): launch template ${CLUSTER}-${managed}`);
    expect(refused).not.toContain(`node group ${COMPUTE[0]}`);
    expect(refused).toContain(`/ami revert ${change._id} --accept-terraform-drift`);
    await h.bot.rollout.idle();
    expect((await h.store.changes.listRecent(10)).filter((c) => c.kind === 'revert')).toEqual([]);
    for (const name of COMPUTE) {
      expect((await versions(moto, name)).map((v) => [v.number, v.data.ImageId])).toEqual([
        [1, moto.computeAmi],
        [2, amiId],
      ]);
      expect(await nodegroupVersion(moto, name)).toBe('2');
    }
    expect(moto.ec2.createRequests).toHaveLength(COMPUTE.length);

    // The admin accepts the drift: the revert is planned, and applies to every compute node group.
    await h.slash(`revert ${change._id} --accept-terraform-drift`, { userId: ADMIN2, responseId: 'revert-drift' });
    const revert = await latestChange(h, 'revert');
    expect(revert.notices?.map((n) => n.label)).toEqual([`${managed} (pool compute)`]);
    expect(revert.noticesAcceptedBy).toBe(ADMIN2);
    await h.bot.rollout.idle();
    await h.click(ACTION_IDS.approve, revert._id, { userId: APPROVERS[1], responseId: 'revert-ok' });
    await h.bot.rollout.idle();
    expect((await h.store.changes.get(revert._id))?.result).toMatchObject({ status: 'applied', conflicts: [] });
    for (const name of COMPUTE) {
      expect((await versions(moto, name)).map((v) => v.data.ImageId)).toEqual([
        moto.computeAmi,
        amiId,
        moto.computeAmi,
      ]);
      expect(await nodegroupVersion(moto, name)).toBe('3');
    }
  });

  type Crash = { call: 'createVersion' | 'updateNodegroupVersion'; when: 'before' | 'after' };
  it.each<[string, Crash]>([
    ['after CreateLaunchTemplateVersion, before its checkpoint', { call: 'createVersion', when: 'after' }],
    ['after the version checkpoint, before UpdateNodegroupVersion', { call: 'updateNodegroupVersion', when: 'before' }],
    ['after UpdateNodegroupVersion, before its checkpoint', { call: 'updateNodegroupVersion', when: 'after' }],
  ])('a crash %s is resumed by a new app to one version and one update per node group', async (_, crash) => {
    const world = seedDemoWorld(createSimWorld({ deployment: 'acme' }));
    const clock = createManualClock(new Date());
    const moto = await seedCluster(server.endpoint, world, clock);
    fake = await startFakeSlack();
    const database = uniqueDbName('eks-crash');
    // The first process dies at the first node group's `crash` point: every later AWS call of its fails too.
    let first: Harness | undefined;
    let dead = false;
    const die = () => {
      dead = true;
      void first?.bot.rollout.tasks.stop();
      throw new Error('the process was killed');
    };
    const ports = realPorts(moto);
    const crashing = <T extends object>(port: T): T =>
      new Proxy(port, {
        get(target, key, receiver) {
          const method = Reflect.get(target, key, receiver);
          if (typeof method !== 'function') return method;
          return async (...args: unknown[]) => {
            if (dead) throw new Error('the process was killed');
            if (key === crash.call && crash.when === 'before') die();
            const result = await method.apply(target, args);
            if (key === crash.call && crash.when === 'after') die();
            return result;
          };
        },
      });
    first = await start({
      world,
      clock,
      fake,
      database,
      eksPorts: { eks: crashing(ports.eks), launchTemplates: crashing(ports.launchTemplates) },
    });
    const { amiId, change } = await plan(first);
    await first.click(ACTION_IDS.approve, change._id, { userId: APPROVERS[0], responseId: 'approve' });
    await until('the crash', async () => (dead ? true : undefined));
    await first.bot.rollout.idle();
    expect((await first.store.changes.get(change._id))?.status).toBe('applying');
    const made = crash.call === 'createVersion' || crash.when === 'before' ? [] : [COMPUTE[0]];
    expect(moto.standIn.updateRequests.map((r) => r.nodegroupName)).toEqual(made);
    await first.close();
    opened.splice(opened.indexOf(first), 1);

    // A new app on the same database, started after the apply's heartbeat went stale (rollout.applyStaleMinutes
    // is 600 in these tests): it takes the apply over.
    await clock.advance(11 * 3_600_000);
    const second = await start({ world, clock, fake, database, eksPorts: realPorts(moto) });
    const done = await until(
      'the takeover',
      async () => {
        const current = await second.store.changes.get(change._id);
        return current?.result ? current : undefined;
      },
      30_000,
    );
    await second.bot.rollout.idle();
    expect(done.result).toMatchObject({ status: 'applied', conflicts: [], unverified: [] });
    expect(done.apply?.attempt).toBe(2);
    for (const name of COMPUTE) {
      expect((await versions(moto, name)).map((v) => [v.number, v.data.ImageId])).toEqual([
        [1, moto.computeAmi],
        [2, amiId],
      ]);
      expect(await nodegroupVersion(moto, name)).toBe('2');
    }
    // One update per node group in EKS: a repeated request (same token) is the same update, not a second one.
    expect(moto.standIn.started().map((u) => u.nodegroup)).toEqual(COMPUTE);
    expect(moto.standIn.updateRequests.filter((r) => r.nodegroupName === COMPUTE[0])).toHaveLength(
      crash.call === 'updateNodegroupVersion' && crash.when === 'after' ? 2 : 1,
    );
  });
});
