// Issue 15, item 2: an eks-node-groups deployment's AMI name and tags follow today's rules with its node pools.
import { describe, expect, it } from 'vitest';
import { bakeAmiName, isPipelineAmiName, nodeAmiName, nodePoolsOf } from '../../src/bake/ami-name.js';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { newStepTable } from '../../src/bake/bake-steps.js';
import { bakeImageTags, isPipelineImageByTags, NODE_POOLS_TAG } from '../../src/bake/image-tags.js';

const at = new Date('2026-12-03T08:05:00Z');
const eks = (nodePools: string[]) => ({
  name: 'acme',
  kind: 'eks-node-groups' as const,
  eks: {
    cluster: 'acme',
    nodegroups: [],
    nodePools,
    nodePoolLabel: 'dominodatalab.com/node-pool',
    force: false,
    terraformTagKeys: [],
    runningWork: 'evict' as const,
  },
});

describe('nodeAmiName', () => {
  it('puts the node pools between the deployment and the stamp, in the configured time zone', () => {
    expect(nodeAmiName('acme', ['compute'], at)).toBe('domino-acme-compute-node-20261203-0805');
    expect(nodeAmiName('acme', ['default', 'default-gpu'], at, 'Europe/Berlin')).toBe(
      'domino-acme-default_default-gpu-node-20261203-0905',
    );
    expect(nodeAmiName('acme', [], at)).toBe('domino-acme-node-20261203-0805');
  });

  it('refuses a pool that is no label value and a name longer than EC2 allows, and a bad deployment as today', () => {
    expect(() => nodeAmiName('acme', ['gpu pool'], at)).toThrow(/node pool "gpu pool"/);
    expect(() => nodeAmiName('acme', ['a'.repeat(60), 'b'.repeat(60)], at)).toThrow(/EC2 allows 128/);
    expect(() => nodeAmiName('Acme', ['compute'], at)).toThrow(/deployment name/);
  });

  it('bakeAmiName: the executor name for hardware tiers, the node name for EKS node groups', () => {
    expect(bakeAmiName({ name: 'acme', kind: 'hardware-tiers' }, at)).toBe('domino-acme-executor-20261203-0805');
    expect(bakeAmiName(eks(['compute']), at)).toBe('domino-acme-compute-node-20261203-0805');
    // A node AMI is not an executor AMI by name: the rollout knows it by its tags.
    expect(isPipelineAmiName('acme', bakeAmiName(eks(['compute']), at))).toBe(false);
  });
});

describe('bakeImageTags with node pools', () => {
  const bake: BakeRecord = {
    _id: 'bake-20261203-abcd',
    deployment: 'acme',
    requester: 'U0ADMIN01',
    channel: 'C0OPS00001',
    images: ['quay.io/domino/base:1'],
    noReboot: false,
    status: 'running',
    steps: newStepTable(),
    facts: { imageName: 'domino-acme-compute-node-20261203-0805', instanceId: 'i-0123456789abcdef0' },
    createdAt: at,
    updatedAt: at,
  };

  it('adds the node pools tag for an EKS deployment and keeps every tag of today', () => {
    const tags = bakeImageTags(bake, nodePoolsOf(eks(['default', 'default-gpu'])));
    expect(tags).toEqual({ ...bakeImageTags(bake), [NODE_POOLS_TAG]: 'default,default-gpu' });
    expect(isPipelineImageByTags(tags, 'acme')).toBe(true);
  });

  it('adds nothing for hardware tiers', () => {
    expect(nodePoolsOf({})).toEqual([]);
    expect(Object.keys(bakeImageTags(bake, nodePoolsOf({})))).not.toContain(NODE_POOLS_TAG);
  });
});
