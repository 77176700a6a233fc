import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config-schema.js';
import { AppError } from '../../../src/errors.js';
import type { InstanceInfo, RootVolumeInfo } from '../../../src/ports/ec2.js';
import { type DiskBudget, type RootVolumeReader, resolveDiskBudget } from '../../../src/selection/disk-budget.js';
import { plainText } from '../../../src/shared/text.js';

const GIB = 1024 ** 3;

const deploymentWith = (imageSelection: Record<string, unknown>) =>
  configSchema.parse({
    slack: { botToken: 'xoxb-test' },
    mongo: {},
    opsChannels: ['C0OPS00001'],
    admins: ['U0ADMIN01'],
    deployments: [{ name: 'prod', imageSelection }],
  }).deployments[0]!;

const instance = (id: string, name: string): InstanceInfo => ({
  id,
  name,
  state: 'stopped',
  imageId: 'ami-0123456789abcdef0',
  tags: { Name: name },
  blockDeviceNames: ['/dev/xvda'],
});

/** An account with these instances and root volumes; records the Name patterns asked for. */
function account(instances: InstanceInfo[], roots: Record<string, RootVolumeInfo | Error | undefined>) {
  const patterns: string[] = [];
  const rootsRead: string[] = [];
  const reader: RootVolumeReader = {
    findInstancesByNamePattern: async (pattern) => {
      patterns.push(pattern);
      return instances;
    },
    describeRootVolume: async (id) => {
      rootsRead.push(id);
      const root = roots[id];
      if (root instanceof Error) throw root;
      return root;
    },
  };
  return { reader, patterns, rootsRead };
}

function reasonOf(budget: DiskBudget): string {
  if (budget.ok) throw new Error(`expected no budget, got ${budget.bytes} bytes`);
  return plainText(budget.reason);
}

const TEMPLATE = instance('i-0template0000001', 'prod-executor-template');
const ROOT: RootVolumeInfo = { deviceName: '/dev/xvda', volumeId: 'vol-0abc', sizeGiB: 200 };

describe('resolveDiskBudget', () => {
  it('is diskShare of the root volume of the deployment’s template, read from EC2', async () => {
    const a = account([TEMPLATE], { [TEMPLATE.id]: ROOT });
    const budget = await resolveDiskBudget(a.reader, deploymentWith({ diskShare: 0.25 }));
    expect(budget).toEqual({
      ok: true,
      bytes: 50 * GIB,
      source: {
        kind: 'template-root-volume',
        rootVolumeGiB: 200,
        share: 0.25,
        instanceId: TEMPLATE.id,
        instanceName: 'prod-executor-template',
      },
    });
    // The bake's own pattern, scoped to this deployment.
    expect(a.patterns).toEqual(['*prod*executor-template*']);
    expect(a.rootsRead).toEqual([TEMPLATE.id]);
  });

  it('defaults to half of the root volume', async () => {
    const a = account([TEMPLATE], { [TEMPLATE.id]: { ...ROOT, sizeGiB: 100 } });
    const budget = await resolveDiskBudget(a.reader, deploymentWith({}));
    expect(budget.ok && budget.bytes).toBe(50 * GIB);
  });

  it('takes a configured root volume size instead of reading EC2', async () => {
    const a = account([TEMPLATE], { [TEMPLATE.id]: ROOT });
    const budget = await resolveDiskBudget(a.reader, deploymentWith({ rootVolumeGiB: 80, diskShare: 0.5 }));
    expect(budget).toEqual({
      ok: true,
      bytes: 40 * GIB,
      source: { kind: 'root-volume-setting', rootVolumeGiB: 80, share: 0.5 },
    });
    expect(a.patterns).toEqual([]);
  });

  it('takes diskBudgetGiB over both', async () => {
    const a = account([TEMPLATE], { [TEMPLATE.id]: ROOT });
    const budget = await resolveDiskBudget(a.reader, deploymentWith({ rootVolumeGiB: 80, diskBudgetGiB: 12.5 }));
    expect(budget).toEqual({ ok: true, bytes: 12.5 * GIB, source: { kind: 'disk-budget-setting' } });
    expect(a.patterns).toEqual([]);
  });

  it.each([
    ['no template', [], 'template_not_found', '0 instances match `*prod*executor-template*`'],
    [
      'two templates',
      [TEMPLATE, instance('i-0template0000002', 'prod-executor-template-old')],
      'template_ambiguous',
      '2 instances match',
    ],
  ])('has no budget with %s, naming the settings that give one', async (_, instances, errorCode, says) => {
    const a = account(instances, { [TEMPLATE.id]: ROOT });
    const budget = await resolveDiskBudget(a.reader, deploymentWith({}));
    expect(budget).toMatchObject({ ok: false, code: errorCode });
    expect(reasonOf(budget)).toContain(says);
    expect(reasonOf(budget)).toContain('`imageSelection.rootVolumeGiB` or `diskBudgetGiB` for prod');
    expect(a.rootsRead).toEqual([]);
  });

  it('has no budget when the template’s root is not an EBS volume', async () => {
    const a = account([TEMPLATE], {});
    const budget = await resolveDiskBudget(a.reader, deploymentWith({}));
    expect(budget).toMatchObject({ ok: false, code: 'root_volume_unknown' });
    expect(reasonOf(budget)).toContain('`i-0template0000001` has no EBS root volume');
  });

  it('has no budget when EC2 refuses, with AWS’s reason', async () => {
    const denied = new AppError('aws_access_denied', 'AWS refused ec2:DescribeVolumes: not authorized.');
    const a = account([TEMPLATE], { [TEMPLATE.id]: denied });
    const budget = await resolveDiskBudget(a.reader, deploymentWith({}));
    expect(budget).toMatchObject({ ok: false, code: 'aws_access_denied' });
    expect(reasonOf(budget)).toContain(
      "Could not read the template's root volume to size the disk budget (AWS refused ec2:DescribeVolumes: not authorized.)",
    );
  });
});
