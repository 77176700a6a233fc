// The EC2 port contract's stand-in for what moto 5.2.5 does not implement: EnableImageDeregistrationProtection,
// DisableImageDeregistrationProtection and EnableImageDeprecation (moto has no handler for them, and its
// DescribeImages never reports DeregistrationProtection or DeprecationTime). The real adapter runs on
// aws-sdk-client-mock scripted the way the EC2 API reference describes them: WithCooldown keeps an image
// protected 24 hours after protection is disabled (DescribeImages then says `disabled-until <time>`), a protected
// image cannot be deregistered. Only the lifecycle cases that need these APIs use it.
import {
  CreateImageCommand,
  type CreateImageCommandInput,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  type DeregisterImageCommandInput,
  DescribeImagesCommand,
  type DescribeImagesCommandInput,
  DescribeInstancesCommand,
  DisableImageDeprecationCommand,
  type DisableImageDeprecationCommandInput,
  DisableImageDeregistrationProtectionCommand,
  type DisableImageDeregistrationProtectionCommandInput,
  EC2Client,
  EC2ServiceException,
  EnableImageDeprecationCommand,
  type EnableImageDeprecationCommandInput,
  EnableImageDeregistrationProtectionCommand,
  type EnableImageDeregistrationProtectionCommandInput,
  type Image,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { createEc2Adapter } from '../../src/adapters/aws/ec2-adapter.js';
import { DEREGISTRATION_COOLDOWN_MS } from '../../src/ports/ec2.js';
import type { Ec2Seed, Ec2UnderTest } from '../contract/ec2-port.contract.js';

const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

function ec2Error(name: string, message: string): EC2ServiceException {
  return new EC2ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400, requestId: 'stand-in' },
    message,
  });
}

/**
 * An EC2 client answered by aws-sdk-client-mock, for a stand-in to script: DescribeInstances shows the one template
 * instance, and `seed` is the contract's seed for a stand-in that has no executors, root volume or foreign image.
 */
export function mockedEc2WithTemplate(): { client: EC2Client; mock: ReturnType<typeof mockClient>; seed: Ec2Seed } {
  const client = new EC2Client({ region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
  const mock = mockClient(client);
  const template = {
    InstanceId: 'i-0a1b2c3d4e5f60718',
    ImageId: 'ami-0a1b2c3d4e5f60718',
    State: { Name: 'running' as const },
    Tags: [{ Key: 'Name', Value: 'acme-executor-template' }],
    BlockDeviceMappings: [{ DeviceName: '/dev/xvda' }],
  };
  mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [template] }] });
  const seed: Ec2Seed = {
    templateId: template.InstanceId,
    templateName: 'acme-executor-template',
    // No root volume case runs on a stand-in (it answers DescribeInstances and the calls it scripts only).
    templateRootVolumeGiB: 0,
    executorTag: { key: 'domino-executor-group', value: 'small-k8s' },
    executorIds: [],
    disposableId: '',
    foreignImageId: '',
  };
  return { client, mock, seed };
}

export function lifecycleStandIn(): Ec2UnderTest {
  const { client, mock, seed } = mockedEc2WithTemplate();
  const images = new Map<string, Image>();
  const withCooldown = new Set<string>();
  const find = (id: string | undefined) => {
    const image = images.get(id ?? '');
    if (!image) throw ec2Error('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
    return image;
  };
  const isProtected = (image: Image) =>
    image.DeregistrationProtection?.startsWith('enabled') ||
    (image.DeregistrationProtection?.startsWith('disabled-until') ?? false);

  mock.on(CreateImageCommand).callsFake((input: CreateImageCommandInput) => {
    const n = images.size + 1;
    const image: Image = {
      ImageId: `ami-0${String(n).padStart(16, '0')}`,
      Name: input.Name,
      State: 'available',
      CreationDate: new Date().toISOString(),
      OwnerId: '123456789012',
      Tags: input.TagSpecifications?.find((s) => s.ResourceType === 'image')?.Tags ?? [],
      BlockDeviceMappings: [
        { DeviceName: '/dev/xvda', Ebs: { SnapshotId: `snap-0${String(n).padStart(16, '0')}`, VolumeSize: 8 } },
      ],
      DeregistrationProtection: 'disabled',
    };
    images.set(image.ImageId!, image);
    return { ImageId: image.ImageId };
  });
  mock.on(DescribeImagesCommand).callsFake((input: DescribeImagesCommandInput) => {
    const tagFilters = (input.Filters ?? []).filter((f) => f.Name?.startsWith('tag:'));
    const selected = [...images.values()].filter(
      (i) =>
        (input.ImageIds === undefined || input.ImageIds.includes(i.ImageId ?? '')) &&
        tagFilters.every((f) => i.Tags?.some((t) => `tag:${t.Key}` === f.Name && f.Values?.includes(t.Value ?? ''))),
    );
    return { Images: selected };
  });
  mock
    .on(EnableImageDeregistrationProtectionCommand)
    .callsFake((input: EnableImageDeregistrationProtectionCommandInput) => {
      const image = find(input.ImageId);
      image.DeregistrationProtection = input.WithCooldown ? 'enabled-with-cooldown' : 'enabled';
      if (input.WithCooldown) withCooldown.add(image.ImageId!);
      else withCooldown.delete(image.ImageId!);
      return { Return: 'true' };
    });
  mock
    .on(DisableImageDeregistrationProtectionCommand)
    .callsFake((input: DisableImageDeregistrationProtectionCommandInput) => {
      const image = find(input.ImageId);
      const until = new Date(Date.now() + DEREGISTRATION_COOLDOWN_MS).toISOString();
      image.DeregistrationProtection = withCooldown.has(image.ImageId!) ? `disabled-until ${until}` : 'disabled';
      return { Return: 'true' };
    });
  mock.on(EnableImageDeprecationCommand).callsFake((input: EnableImageDeprecationCommandInput) => {
    find(input.ImageId).DeprecationTime = input.DeprecateAt?.toISOString().replace('.000Z', 'Z');
    return { Return: true };
  });
  mock.on(DisableImageDeprecationCommand).callsFake((input: DisableImageDeprecationCommandInput) => {
    delete find(input.ImageId).DeprecationTime;
    return { Return: true };
  });
  mock.on(DeregisterImageCommand).callsFake((input: DeregisterImageCommandInput) => {
    const image = find(input.ImageId);
    // The code EC2 answers with is not documented; the contract only asks that the call fails and the image stays.
    if (isProtected(image))
      throw ec2Error('InvalidParameterValue', `Deregistration protection is enabled for ${image.ImageId}`);
    images.delete(image.ImageId!);
    const results = (image.BlockDeviceMappings ?? []).map((m) => ({
      SnapshotId: m.Ebs?.SnapshotId,
      ReturnCode: 'success' as const,
    }));
    return { Return: true, DeleteSnapshotResults: input.DeleteAssociatedSnapshots ? results : [] };
  });
  mock.on(DeleteSnapshotCommand).resolves({});
  return {
    ec2: createEc2Adapter(client),
    seed,
    advance: async () => {},
    deregisterOnly: async (imageId) => {
      images.delete(imageId);
    },
  };
}
