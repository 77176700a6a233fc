import { nodeAmiName } from '../bake/ami-name.js';
import {
  BAKE_ID_TAG,
  CREATED_BY_TAG,
  CREATED_BY_VALUE,
  DEPLOYMENT_TAG as PIPELINE_DEPLOYMENT_TAG,
} from '../bake/image-tags.js';
import { NODE_POOL_LABEL } from './node-pool-label.js';
import { addImage, addInstance } from './seed-demo-world.js';
import { DEPLOYMENT_TAG } from './sim-domino-api.js';
import { nodeTags } from './sim-eks.js';
import type { SimCluster, SimLaunchTemplate, SimNodegroup } from './sim-eks-state.js';
import { addLaunchTemplateVersion } from './sim-launch-templates.js';
import { SIM_ACCOUNT_ID, type SimImage, type SimWorld } from './sim-world.js';

export { NODE_POOL_LABEL } from './node-pool-label.js';
/** What the seed's Terraform-managed launch templates carry (the plan warns about drift from Terraform's state). */
export const TERRAFORM_TAGS = { 'managed-by': 'terraform', 'terraform-module': 'dominodatalab/eks/aws' } as const;
/** The account EKS's own AMIs come from: a node group on an EKS-managed AMI type runs one of them. */
export const EKS_AMI_OWNER = '602401143452';

export interface SeedEksOptions {
  /** Default: the world's deployment (Domino names the cluster after its deploy id). */
  cluster?: string;
  /** The ami-bot deployment whose earlier bake the standard pools run (its tags), default the world's. */
  deployment?: string;
  /** Default: `<region>a`, `<region>b`. */
  zones?: string[];
  /** Nodes per node group (desired size), default 1. */
  nodesPerGroup?: number;
  /**
   * Makes the world's template instance (the deployment's tagged template) a node of the cluster as a bake finds
   * one: containerd with `ctr` only (no docker, no nerdctl), an empty image store, launched from the node AMI.
   */
  nodeTemplate?: boolean;
  /**
   * A Domino hardware tier of this id on the `test` pool (the AMI test's `eks.testHardwareTier`), so the test job
   * lands on the `test` node group's nodes. Absent: no tier runs on that pool.
   */
  testHardwareTier?: string;
}

export interface SeededEks {
  cluster: string;
  /** Every node group, in creation order. */
  nodegroups: string[];
  /** Node group names by pool: `default`, `compute`, `gpu` (one per zone), `test`, `platform`, `legacy`. */
  pools: Record<string, string[]>;
  /** Node group → its launch template id (the two without one are absent). */
  templateIds: Record<string, string>;
  /**
   * The AMI the CUSTOM default/compute/test node groups run (an earlier bake of the deployment: its name and tags,
   * so the rollout classifies them standard), the GPU pools' custom AMI (special), EKS's AMI.
   */
  nodeImageId: string;
  gpuImageId: string;
  eksImageId: string;
}

/**
 * A small Domino 4+ cluster the way Domino's terraform-aws-eks modules build it: one managed node group per pool
 * per availability zone, each with its own launch template naming a custom AMI (`CUSTOM`); a `test` node group for
 * the AMI test; and the two special kinds the rollout lists but never changes: `platform` without a launch
 * template and `legacy`, whose template leaves the AMI to EKS (`AL2_x86_64`).
 */
export function seedEksCluster(world: SimWorld, options: SeedEksOptions = {}): SeededEks {
  const clusterName = options.cluster ?? world.deployment;
  const zones = options.zones ?? [`${world.region}a`, `${world.region}b`];
  const size = options.nodesPerGroup ?? 1;
  const at = (iso: string) => Date.parse(iso);
  const deployment = options.deployment ?? world.deployment;
  const bakedAt = new Date('2026-08-15T09:00:00Z');
  // Named as a bake of an EKS deployment names its AMI (bake/ami-name.ts), for the pools it serves.
  const nodeName = nodeAmiName(deployment, ['default', 'compute'], bakedAt);
  // Tagged as a bake tags its AMI (bake/image-tags.ts): the standard pools run what this pipeline made before.
  const node = addImage(
    world,
    nodeName,
    bakedAt.getTime(),
    {
      Name: nodeName,
      [CREATED_BY_TAG]: CREATED_BY_VALUE,
      [BAKE_ID_TAG]: 'bake-20260815-abcd',
      [PIPELINE_DEPLOYMENT_TAG]: deployment,
    },
    [],
  );
  const gpu = addImage(world, 'domino-eks-gpu-node-custom', at('2026-02-03T16:20:00Z'), { team: 'ml-platform' }, []);
  const eks = addImage(world, 'amazon-eks-node-1.30-v20260801', at('2026-08-01T00:00:00Z'), {}, []);
  eks.ownerId = EKS_AMI_OWNER;

  const cluster: SimCluster = {
    name: clusterName,
    arn: `arn:aws:eks:${world.region}:${SIM_ACCOUNT_ID}:cluster/${clusterName}`,
    nodegroups: new Map(),
  };
  world.clusters.set(clusterName, cluster);
  const seeded: SeededEks = {
    cluster: clusterName,
    nodegroups: [],
    pools: {},
    templateIds: {},
    nodeImageId: node.id,
    gpuImageId: gpu.id,
    eksImageId: eks.id,
  };
  const add = (pool: string, name: string, image: SimImage, template: 'custom' | 'eks-ami' | 'none') => {
    const lt =
      template === 'none'
        ? undefined
        : addLaunchTemplate(world, {
            name: `${clusterName}-${name}`,
            tags: { ...TERRAFORM_TAGS, [DEPLOYMENT_TAG]: clusterName },
            ...(template === 'custom' ? { imageId: image.id } : {}),
            data: {
              InstanceType: pool === 'gpu' ? 'p3.2xlarge' : 'm5.2xlarge',
              MetadataOptions: { HttpTokens: 'required' },
            },
            createdMs: at('2026-08-15T10:00:00Z'),
          });
    const ng = addNodegroup(world, cluster, {
      name,
      amiType: template === 'custom' ? 'CUSTOM' : 'AL2_x86_64',
      ...(lt ? { launchTemplate: { id: lt.id, name: lt.name, version: '1' } } : {}),
      labels: { [NODE_POOL_LABEL]: pool },
      tags: { [DEPLOYMENT_TAG]: clusterName },
      desiredSize: size,
    });
    for (let i = 0; i < size; i++) {
      ng.nodeIds.push(addInstance(world, nodeTags(world, ng), image, 'running', at('2026-08-16T08:00:00Z')).id);
    }
    seeded.nodegroups.push(name);
    seeded.pools[pool] = [...(seeded.pools[pool] ?? []), name];
    if (lt) seeded.templateIds[name] = lt.id;
  };
  for (const zone of zones) add('default', `default-${zone}`, node, 'custom');
  for (const zone of zones) add('compute', `compute-${zone}`, node, 'custom');
  for (const zone of zones) add('gpu', `gpu-${zone}`, gpu, 'custom');
  add('test', `test-${zones[0]}`, node, 'custom');
  add('platform', 'platform', eks, 'none');
  add('legacy', `legacy-${zones[0]}`, eks, 'eks-ami');
  // Domino's hardware tiers name the pools their runs go to (two on compute, one on each other user pool).
  world.hardwareTiers.push(
    { id: 'small-k8s', name: 'Small', nodePool: 'compute' },
    { id: 'large-k8s', name: 'Large', nodePool: 'compute' },
    { id: 'gpu-k8s', name: 'GPU', nodePool: 'gpu' },
    { id: 'default-k8s', name: 'Default', nodePool: 'default' },
  );
  // The seed's runs were on Domino 3.x tier ids: here they ran on these tiers (the pinned tier's on the GPU pool).
  const onEks: Record<string, string> = {
    'small-k8s': 'small-k8s',
    medium: 'large-k8s',
    large: 'default-k8s',
    'pinned-legacy': 'gpu-k8s',
  };
  for (const usage of world.environmentUsage) {
    usage.tiers = usage.tiers?.map((t) => ({ ...t, tier: onEks[t.tier] ?? t.tier }));
  }
  if (options.testHardwareTier) addNodePoolTier(world, options.testHardwareTier, 'test');
  if (options.nodeTemplate) {
    const template = [...world.instances.values()].find(
      (instance) => instance.tags[DEPLOYMENT_TAG] === deployment && instance.tags.Name?.includes('template'),
    );
    if (template) {
      template.runtimes = ['ctr'];
      template.containerdImages = new Map();
      template.dockerImages = new Map();
      template.imageId = node.id;
    }
  }
  return seeded;
}

/** A run of a user on a hardware tier, in `status` (Running unless said), as Domino lists it until it completes. */
export function addRun(
  world: SimWorld,
  input: { tierId: string; project: { owner: string; name: string }; user: string; status?: string },
): string {
  const projectId = `proj-${input.project.owner}-${input.project.name}`;
  if (!world.projects.has(projectId)) {
    world.projects.set(projectId, { id: projectId, ...input.project, defaultEnvironmentId: '' });
  }
  const id = world.ids.job();
  const status = input.status ?? 'Running';
  world.jobs.set(id, {
    id,
    projectId,
    tierId: input.tierId,
    environmentId: '',
    image: '',
    title: 'user run',
    command: 'python train.py',
    status,
    isCompleted: false,
    history: [{ status, atMs: 0 }],
    stopRequested: false,
    startedBy: input.user,
  });
  return id;
}

/** The run ends (Succeeded): Domino lists it no more. */
export function finishRun(world: SimWorld, runId: string): void {
  const job = world.jobs.get(runId);
  if (job) Object.assign(job, { status: 'Succeeded', isCompleted: true });
}

/** A launch template with its version 1 (the default), as CreateLaunchTemplate makes it. */
export function addLaunchTemplate(
  world: SimWorld,
  input: {
    name: string;
    tags: Record<string, string>;
    imageId?: string;
    data: Record<string, unknown>;
    createdMs: number;
  },
): SimLaunchTemplate {
  const template: SimLaunchTemplate = {
    id: world.ids.launchTemplate(),
    name: input.name,
    tags: { ...input.tags },
    versions: [],
    defaultVersion: 1,
    clientTokens: new Map(),
  };
  addLaunchTemplateVersion(template, {
    ...(input.imageId === undefined ? {} : { imageId: input.imageId }),
    description: 'created by terraform',
    data: input.data,
    createdMs: input.createdMs,
  });
  world.launchTemplates.set(template.id, template);
  return template;
}

/** An ACTIVE managed node group without nodes yet (the caller adds them to `nodeIds`). */
export function addNodegroup(
  world: SimWorld,
  cluster: SimCluster,
  input: Pick<SimNodegroup, 'name' | 'amiType' | 'launchTemplate' | 'labels' | 'tags' | 'desiredSize'>,
): SimNodegroup {
  const uuid = world.ids.update();
  const ng: SimNodegroup = {
    cluster: cluster.name,
    name: input.name,
    arn: `arn:aws:eks:${world.region}:${SIM_ACCOUNT_ID}:nodegroup/${cluster.name}/${input.name}/${uuid}`,
    status: 'ACTIVE',
    amiType: input.amiType,
    ...(input.launchTemplate ? { launchTemplate: { ...input.launchTemplate } } : {}),
    labels: { ...input.labels },
    tags: { ...input.tags },
    desiredSize: input.desiredSize,
    nodeIds: [],
    updates: [],
  };
  cluster.nodegroups.set(ng.name, ng);
  return ng;
}

/**
 * A Domino 4+ hardware tier that runs its jobs on a node pool (Domino's `nodePool`): the simulated Domino places
 * its jobs on the pool's nodes, and its hardware tier API lists it with that pool (what the AMI test checks against
 * the test node group). It has no executorImage: its AMI is the node groups'.
 */
export function addNodePoolTier(world: SimWorld, id: string, pool: string): void {
  world.tiers.push({ idType: 'string', doc: { _id: id, name: `${pool} pool`, executorImage: '', nodePool: pool } });
  world.hardwareTiers.push({ id, name: `${pool} pool`, nodePool: pool });
}
