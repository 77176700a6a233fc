// The real EC2 adapter's peers for the EC2 port contract: an EC2Client on moto (with the one request rewrite moto
// needs, below), the demo world's instances seeded through RunInstances, and the stand-in for what moto lacks.
import {
  CreateImageCommand,
  type CreateImageCommandInput,
  CreateTagsCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  type DescribeImagesCommandInput,
  EC2Client,
  EC2ServiceException,
  type Image,
  RunInstancesCommand,
  StopInstancesCommand,
  type Tag,
  type TagSpecification,
} from '@aws-sdk/client-ec2';
import { createEc2Adapter } from '../../src/adapters/aws/ec2-adapter.js';
import type { Ec2Seed, Ec2UnderTest } from '../contract/ec2-port.contract.js';
import { mockedEc2WithTemplate } from './ec2-lifecycle-stand-in.js';

const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const GROUP_TAG = 'domino-executor-group';
const DEPLOYMENT_TAG = 'domino-deployment';

export interface MotoEc2Client {
  client: EC2Client;
  /** Snapshot tag specifications the adapter sent in CreateImage and the rewrite took out (see below). */
  droppedSnapshotTags: TagSpecification[];
}

/**
 * An EC2Client on moto. moto answers CreateImage with an HTTP 500 when TagSpecifications names `snapshot`
 * (moto 5.2.5, ec2/models/amis.py: `raise NotImplementedError()`), and the adapter always tags the snapshots
 * with the image's tags. So, for moto only, this client drops the `snapshot` entry before the request is
 * serialised, records what it dropped so a test can still check that the adapter asked for it, and once moto has
 * made the image puts those tags on its snapshots with CreateTags (which moto stores), so the snapshot listing
 * sees what EC2 would hold. Nothing else is changed on the way to or from moto.
 */
export function motoEc2Client(endpoint: string): MotoEc2Client {
  const client = new EC2Client({ region: 'us-east-1', endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
  const droppedSnapshotTags: TagSpecification[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'CreateImageCommand') return next(args);
      const input = args.input as CreateImageCommandInput;
      const specs = input.TagSpecifications ?? [];
      droppedSnapshotTags.push(...specs.filter((s) => s.ResourceType === 'snapshot'));
      const kept = specs.filter((s) => s.ResourceType !== 'snapshot');
      const result = await next({
        ...args,
        input: { ...input, TagSpecifications: kept.length > 0 ? kept : undefined },
      });
      const tags = specs.find((s) => s.ResourceType === 'snapshot')?.Tags ?? [];
      const imageId = (result.output as { ImageId?: string }).ImageId;
      if (imageId && tags.length > 0) await tagSnapshotsOf(client, imageId, tags);
      return result;
    },
    { step: 'initialize', name: 'motoDropSnapshotTagSpecifications' },
  );
  return { client, droppedSnapshotTags };
}

async function tagSnapshotsOf(client: EC2Client, imageId: string, tags: Tag[]): Promise<void> {
  const out = await client.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
  const snapshotIds = (out.Images?.[0]?.BlockDeviceMappings ?? []).flatMap((m) =>
    m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [],
  );
  if (snapshotIds.length > 0) await client.send(new CreateTagsCommand({ Resources: snapshotIds, Tags: tags }));
}

/** Deregisters an image and nothing else (moto ignores DeleteAssociatedSnapshots): its snapshots stay, orphaned. */
export async function motoDeregisterOnly(client: EC2Client, imageId: string): Promise<void> {
  await client.send(new DeregisterImageCommand({ ImageId: imageId }));
}

let baseImageId: string | undefined;

/**
 * One of the AMIs moto ships, to launch instances from; the same ids come back after every reset. The first call
 * makes moto load its ~1,300 default AMIs (a few seconds), so call it once from beforeAll.
 */
export async function motoBaseImage(client: EC2Client): Promise<string> {
  baseImageId ??= (await client.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images?.[0]?.ImageId;
  if (!baseImageId) throw new Error('moto lists no Amazon AMI to launch instances from');
  return baseImageId;
}

/** The template's root volume on moto (its default would be 8 GiB). */
const TEMPLATE_ROOT_GIB = 120;

/** The demo world's shape on moto: the template, two small-k8s executors (one stopped) and a GPU executor. */
export async function seedMotoAccount(client: EC2Client): Promise<Ec2Seed> {
  const imageId = await motoBaseImage(client);
  const run = async (tags: Record<string, string>, rootVolumeGiB?: number) => {
    const Tags: Tag[] = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    const out = await client.send(
      new RunInstancesCommand({
        ImageId: imageId,
        InstanceType: 'm5.large',
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [{ ResourceType: 'instance', Tags }],
        // moto's default AMIs boot from /dev/sda1; a size given for it is the root volume's.
        ...(rootVolumeGiB
          ? { BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: rootVolumeGiB } }] }
          : {}),
      }),
    );
    return out.Instances?.[0]?.InstanceId ?? '';
  };
  const executor = (group: string) =>
    run({ Name: `acme-executor-${group}`, [DEPLOYMENT_TAG]: 'acme', [GROUP_TAG]: group });
  const templateId = await run({ Name: 'acme-executor-template', [DEPLOYMENT_TAG]: 'acme' }, TEMPLATE_ROOT_GIB);
  const running = await executor('small-k8s');
  const stopped = await executor('small-k8s');
  await executor('gpu');
  await client.send(new StopInstancesCommand({ InstanceIds: [stopped] }));
  return {
    templateId,
    templateName: 'acme-executor-template',
    templateRootVolumeGiB: TEMPLATE_ROOT_GIB,
    executorTag: { key: GROUP_TAG, value: 'small-k8s' },
    executorIds: [running, stopped],
    disposableId: running,
    // moto's default AMIs belong to Amazon's accounts: a public image of another owner.
    foreignImageId: imageId,
  };
}

/**
 * moto does not reject a second AMI with a name already in use (it has no InvalidAMIName.Duplicate), so the
 * contract's duplicate-name case runs the real adapter on this stand-in: aws-sdk-client-mock scripted the way
 * EC2 answers (CreateImage fails with InvalidAMIName.Duplicate; DescribeImages filters own images by name).
 */
export function duplicateNameStandIn(): Ec2UnderTest {
  const { client, mock, seed } = mockedEc2WithTemplate();
  const images: Image[] = [];
  mock.on(CreateImageCommand).callsFake((input: CreateImageCommandInput) => {
    const taken = images.find((i) => i.Name === input.Name);
    if (taken) {
      throw new EC2ServiceException({
        name: 'InvalidAMIName.Duplicate',
        $fault: 'client',
        $metadata: { httpStatusCode: 400, requestId: 'stand-in' },
        message: `AMI name ${input.Name} is already in use by AMI ${taken.ImageId}`,
      });
    }
    const image: Image = {
      ImageId: `ami-0${String(images.length + 1).padStart(16, '0')}`,
      Name: input.Name,
      State: 'pending',
      Tags: input.TagSpecifications?.find((s) => s.ResourceType === 'image')?.Tags ?? [],
    };
    images.push(image);
    return { ImageId: image.ImageId };
  });
  mock.on(DescribeImagesCommand).callsFake((input: DescribeImagesCommandInput) => {
    const names = input.Filters?.find((f) => f.Name === 'name')?.Values;
    return { Images: images.filter((i) => names === undefined || names.includes(i.Name ?? '')) };
  });
  return {
    ec2: createEc2Adapter(client),
    seed,
    advance: async () => {},
    deregisterOnly: async () => {},
  };
}
