import {
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createEc2Adapter } from '../../src/adapters/aws/ec2-adapter.js';
import type { Ec2Port } from '../../src/ports/ec2.js';

function awsError(name: string): EC2ServiceException {
  return new EC2ServiceException({ name, $fault: 'client', $metadata: {}, message: `${name} (simulated)` });
}

const image = {
  ImageId: 'ami-0new',
  Name: 'domino-prod-executor-20240305-0708',
  State: 'available' as const,
  CreationDate: '2024-03-05T07:09:10.000Z',
  Tags: [{ Key: 'ami-bot:bake-id', Value: 'bake-20240305-abcd' }],
  BlockDeviceMappings: [
    { DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-1' } },
    { DeviceName: '/dev/xvdb', Ebs: { SnapshotId: 'snap-2' } },
    { DeviceName: '/dev/sdc', VirtualName: 'ephemeral0' },
  ],
};

const client = new EC2Client({ region: 'us-east-1' });
const ec2Mock = mockClient(client);
let ec2: Ec2Port;

beforeEach(() => {
  ec2Mock.reset();
  ec2 = createEc2Adapter(client);
});

describe('image lookups', () => {
  it('describes by id and maps the image', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image] });
    expect(await ec2.describeImages(['ami-0new'])).toEqual([
      {
        id: 'ami-0new',
        name: 'domino-prod-executor-20240305-0708',
        state: 'available',
        creationDate: new Date('2024-03-05T07:09:10.000Z'),
        tags: { 'ami-bot:bake-id': 'bake-20240305-abcd' },
        snapshotIds: ['snap-1', 'snap-2'],
      },
    ]);
    expect(ec2Mock.commandCalls(DescribeImagesCommand)[0]!.args[0].input.ImageIds).toEqual(['ami-0new']);
  });

  it('returns [] for unknown or malformed ids, and the known ones when only some are unknown', async () => {
    ec2Mock.on(DescribeImagesCommand, { ImageIds: ['ami-gone'] }).rejects(awsError('InvalidAMIID.NotFound'));
    ec2Mock.on(DescribeImagesCommand, { ImageIds: ['nonsense'] }).rejects(awsError('InvalidAMIID.Malformed'));
    ec2Mock
      .on(DescribeImagesCommand, { ImageIds: ['ami-0new', 'ami-gone'] })
      .rejects(awsError('InvalidAMIID.NotFound'));
    ec2Mock.on(DescribeImagesCommand, { ImageIds: ['ami-0new'] }).resolves({ Images: [image] });
    expect(await ec2.describeImages(['ami-gone'])).toEqual([]);
    expect(await ec2.describeImages(['nonsense'])).toEqual([]);
    expect((await ec2.describeImages(['ami-0new', 'ami-gone'])).map((i) => i.id)).toEqual(['ami-0new']);
    expect(await ec2.describeImages([])).toEqual([]);
  });

  it('finds own images by exact name and by tag, across pages', async () => {
    ec2Mock
      .on(DescribeImagesCommand)
      .resolvesOnce({ Images: [image], NextToken: 'n1' })
      .resolvesOnce({ Images: [{ ...image, ImageId: 'ami-other', Name: 'other' }] })
      .resolves({ Images: [image] });
    expect((await ec2.findImagesByName(image.Name)).map((i) => i.id)).toEqual(['ami-0new']);
    expect((await ec2.findImagesByTag('ami-bot:bake-id', 'bake-20240305-abcd')).map((i) => i.id)).toEqual(['ami-0new']);
    const inputs = ec2Mock.commandCalls(DescribeImagesCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { Owners: ['self'], Filters: [{ Name: 'name', Values: [image.Name] }], NextToken: undefined },
      { Owners: ['self'], Filters: [{ Name: 'name', Values: [image.Name] }], NextToken: 'n1' },
      {
        Owners: ['self'],
        Filters: [{ Name: 'tag:ami-bot:bake-id', Values: ['bake-20240305-abcd'] }],
        NextToken: undefined,
      },
    ]);
  });

  it('reports a failed image with AWS’s reason', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [
        { ...image, State: 'failed', StateReason: { Code: 'Client.InternalError', Message: 'snapshot failed' } },
      ],
    });
    expect(await ec2.describeImages(['ami-0new'])).toMatchObject([{ state: 'failed', stateReason: 'snapshot failed' }]);
  });
});

describe('deregisterImage', () => {
  it('asks EC2 to delete the snapshots with the image; snapshots it deleted are not deleted again', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image] });
    ec2Mock.on(DeregisterImageCommand).resolves({
      Return: true,
      DeleteSnapshotResults: [
        { SnapshotId: 'snap-1', ReturnCode: 'success' },
        { SnapshotId: 'snap-2', ReturnCode: 'success' },
      ],
    });
    expect(await ec2.deregisterImage('ami-0new')).toEqual({
      image: 'deregistered',
      snapshots: [
        { id: 'snap-1', outcome: 'deleted' },
        { id: 'snap-2', outcome: 'deleted' },
      ],
    });
    expect(ec2Mock.commandCalls(DeregisterImageCommand)[0]!.args[0].input).toEqual({
      ImageId: 'ami-0new',
      DeleteAssociatedSnapshots: true,
    });
    expect(ec2Mock.commandCalls(DeleteSnapshotCommand)).toHaveLength(0);
  });

  it('deletes per snapshot, after the image, what EC2 did not (no result, an error code); keeps a shared one', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [
        {
          ...image,
          BlockDeviceMappings: [
            ...image.BlockDeviceMappings,
            { DeviceName: '/dev/xvdd', Ebs: { SnapshotId: 'snap-3' } },
          ],
        },
      ],
    });
    ec2Mock.on(DeregisterImageCommand).resolves({
      Return: true,
      DeleteSnapshotResults: [
        { SnapshotId: 'snap-1', ReturnCode: 'internal-error' },
        { SnapshotId: 'snap-3', ReturnCode: 'skipped' },
      ],
    });
    ec2Mock.on(DeleteSnapshotCommand).resolves({});
    const result = await ec2.deregisterImage('ami-0new');
    expect(result.snapshots).toEqual([
      { id: 'snap-1', outcome: 'deleted' },
      { id: 'snap-2', outcome: 'deleted' },
      { id: 'snap-3', outcome: 'in-use' },
    ]);
    const sequence = ec2Mock.calls().map((c) => c.args[0].constructor.name);
    expect(sequence).toEqual([
      'DescribeImagesCommand',
      'DeregisterImageCommand',
      'DeleteSnapshotCommand',
      'DeleteSnapshotCommand',
    ]);
    expect(ec2Mock.commandCalls(DeleteSnapshotCommand).map((c) => c.args[0].input.SnapshotId)).toEqual([
      'snap-1',
      'snap-2',
    ]);
  });

  it('tolerates an image or snapshot that is already gone', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image] });
    ec2Mock.on(DeregisterImageCommand).rejects(awsError('InvalidAMIID.NotFound'));
    ec2Mock.on(DeleteSnapshotCommand, { SnapshotId: 'snap-1' }).rejects(awsError('InvalidSnapshot.NotFound'));
    ec2Mock.on(DeleteSnapshotCommand, { SnapshotId: 'snap-2' }).resolves({});
    expect(await ec2.deregisterImage('ami-0new')).toEqual({
      image: 'absent',
      snapshots: [
        { id: 'snap-1', outcome: 'absent' },
        { id: 'snap-2', outcome: 'deleted' },
      ],
    });
  });

  it('cleans up snapshots left behind when the image itself is already gone', async () => {
    ec2Mock.on(DescribeImagesCommand).rejects(awsError('InvalidAMIID.NotFound'));
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-orphan' }] });
    ec2Mock.on(DeleteSnapshotCommand).resolves({});
    expect(await ec2.deregisterImage('ami-0new')).toEqual({
      image: 'absent',
      snapshots: [{ id: 'snap-orphan', outcome: 'deleted' }],
    });
    expect(ec2Mock.commandCalls(DeregisterImageCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(DescribeSnapshotsCommand)[0]!.args[0].input).toEqual({
      OwnerIds: ['self'],
      Filters: [
        {
          Name: 'description',
          Values: ['Created by CreateImage(*) for ami-0new', 'Created by CreateImage(*) for ami-0new *'],
        },
      ],
    });
  });

  it('a snapshot another image uses is reported in use, not an error; any other failure is an AppError', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image] });
    ec2Mock.on(DeregisterImageCommand).resolves({});
    ec2Mock.on(DeleteSnapshotCommand, { SnapshotId: 'snap-1' }).rejects(awsError('InvalidSnapshot.InUse'));
    ec2Mock.on(DeleteSnapshotCommand, { SnapshotId: 'snap-2' }).rejects(awsError('UnauthorizedOperation'));
    await expect(ec2.deregisterImage('ami-0new')).rejects.toMatchObject({ code: 'aws_UnauthorizedOperation' });
    ec2Mock.on(DeleteSnapshotCommand, { SnapshotId: 'snap-2' }).resolves({});
    expect((await ec2.deregisterImage('ami-0new')).snapshots).toEqual([
      { id: 'snap-1', outcome: 'in-use' },
      { id: 'snap-2', outcome: 'deleted' },
    ]);
  });
});

describe('snapshotProgress', () => {
  it('averages "NN%" progress, counting completed snapshots as 100', async () => {
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({
        Snapshots: [
          { SnapshotId: 'snap-1', State: 'pending', Progress: '45%' },
          { SnapshotId: 'snap-2', State: 'pending', Progress: '55%' },
        ],
      })
      .resolvesOnce({
        Snapshots: [
          { SnapshotId: 'snap-1', State: 'completed', Progress: '' },
          { SnapshotId: 'snap-2', State: 'pending', Progress: '20%' },
        ],
      });
    expect(await ec2.snapshotProgress(['snap-1', 'snap-2'])).toBe(50);
    expect(await ec2.snapshotProgress(['snap-1', 'snap-2'])).toBe(60);
    expect(ec2Mock.commandCalls(DescribeSnapshotsCommand)[0]!.args[0].input).toEqual({
      SnapshotIds: ['snap-1', 'snap-2'],
    });
  });

  it('is undefined when nothing is reported, nothing is asked, or a snapshot is gone', async () => {
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({ Snapshots: [{ SnapshotId: 'snap-1', State: 'pending' }] })
      .rejects(awsError('InvalidSnapshot.NotFound'));
    expect(await ec2.snapshotProgress(['snap-1'])).toBeUndefined();
    expect(await ec2.snapshotProgress([])).toBeUndefined();
    expect(await ec2.snapshotProgress(['snap-9'])).toBeUndefined();
  });
});
