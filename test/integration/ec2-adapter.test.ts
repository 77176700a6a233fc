import {
  CreateImageCommand,
  DescribeInstancesCommand,
  EC2Client,
  EC2ServiceException,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createEc2Adapter } from '../../src/adapters/aws/ec2-adapter.js';
import { AppError } from '../../src/errors.js';
import type { Ec2Port } from '../../src/ports/ec2.js';

function awsError(name: string, message = `${name} (simulated)`): EC2ServiceException {
  return new EC2ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400, requestId: 'req-1' },
    message,
  });
}

const LIVE = { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] };

const template = {
  InstanceId: 'i-0template',
  ImageId: 'ami-0old',
  State: { Name: 'stopped' as const },
  LaunchTime: new Date('2024-01-02T03:04:05Z'),
  Tags: [
    { Key: 'Name', Value: 'prod-executor-template' },
    { Key: 'team', Value: 'platform' },
  ],
  BlockDeviceMappings: [{ DeviceName: '/dev/xvda' }, { DeviceName: '/dev/xvdb' }],
};

const client = new EC2Client({ region: 'us-east-1' });
const ec2Mock = mockClient(client);
let ec2: Ec2Port;

beforeEach(() => {
  ec2Mock.reset();
  ec2 = createEc2Adapter(client);
});

describe('instances', () => {
  it('finds by Name glob, excluding terminated, across pages', async () => {
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{ Instances: [template] }], NextToken: 'page-2' })
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-2', State: { Name: 'running' } }] }] });
    const found = await ec2.findInstancesByNamePattern('*executor-template*');
    const calls = ec2Mock.commandCalls(DescribeInstancesCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      { Filters: [{ Name: 'tag:Name', Values: ['*executor-template*'] }, LIVE], NextToken: undefined },
      { Filters: [{ Name: 'tag:Name', Values: ['*executor-template*'] }, LIVE], NextToken: 'page-2' },
    ]);
    expect(found).toEqual([
      {
        id: 'i-0template',
        name: 'prod-executor-template',
        state: 'stopped',
        imageId: 'ami-0old',
        tags: { Name: 'prod-executor-template', team: 'platform' },
        blockDeviceNames: ['/dev/xvda', '/dev/xvdb'],
        launchTime: new Date('2024-01-02T03:04:05Z'),
      },
      { id: 'i-2', name: '', state: 'running', imageId: '', tags: {}, blockDeviceNames: [] },
    ]);
  });

  it('finds by tags, `*` meaning any value', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    await ec2.findInstancesByTags({ 'domino-executor-group': 'gpu', cluster: '*' });
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]!.args[0].input.Filters).toEqual([
      { Name: 'tag:domino-executor-group', Values: ['gpu'] },
      { Name: 'tag:cluster', Values: ['*'] },
      LIVE,
    ]);
  });

  it('describes one instance; an unknown id is undefined', async () => {
    ec2Mock
      .on(DescribeInstancesCommand, { InstanceIds: ['i-0template'] })
      .resolves({ Reservations: [{ Instances: [template] }] });
    ec2Mock.on(DescribeInstancesCommand, { InstanceIds: ['i-gone'] }).rejects(awsError('InvalidInstanceID.NotFound'));
    expect((await ec2.describeInstance('i-0template'))?.state).toBe('stopped');
    expect(await ec2.describeInstance('i-gone')).toBeUndefined();
  });

  it('starts, stops and terminates; terminating nothing sends nothing', async () => {
    ec2Mock.on(StartInstancesCommand).resolves({});
    ec2Mock.on(StopInstancesCommand).resolves({});
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    await ec2.startInstance('i-1');
    await ec2.stopInstance('i-1');
    await ec2.terminateInstances([]);
    await ec2.terminateInstances(['i-2', 'i-3']);
    expect(ec2Mock.commandCalls(StartInstancesCommand)[0]!.args[0].input).toEqual({ InstanceIds: ['i-1'] });
    expect(ec2Mock.commandCalls(StopInstancesCommand)[0]!.args[0].input).toEqual({ InstanceIds: ['i-1'] });
    expect(ec2Mock.commandCalls(TerminateInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceIds: ['i-2', 'i-3'] },
    ]);
  });

  it('maps a missing permission to an AppError naming the IAM action', async () => {
    ec2Mock
      .on(StartInstancesCommand)
      .rejects(
        awsError(
          'UnauthorizedOperation',
          'You are not authorized to perform this operation. Encoded authorization failure message: xyz',
        ),
      );
    const error = await ec2.startInstance('i-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'aws_UnauthorizedOperation',
      message:
        "AWS refused to start instance i-1: the bot's IAM role lacks permission for ec2:StartInstances. Add it to the role's policy and try again.",
      details: { awsError: 'UnauthorizedOperation', api: 'ec2:StartInstances', requestId: 'req-1', httpStatus: 400 },
    });
  });

  it('reports throttling that outlasted the SDK retries, and other errors, with AWS codes', async () => {
    ec2Mock.on(StopInstancesCommand).rejects(awsError('RequestLimitExceeded'));
    ec2Mock
      .on(StartInstancesCommand)
      .rejects(awsError('IncorrectInstanceState', 'The instance is in state shutting-down.'));
    await expect(ec2.stopInstance('i-1')).rejects.toMatchObject({
      code: 'aws_RequestLimitExceeded',
      message: expect.stringContaining('throttling'),
    });
    await expect(ec2.startInstance('i-1')).rejects.toMatchObject({
      code: 'aws_IncorrectInstanceState',
      message:
        'The instance is not in a state that allows start instance i-1 right now: The instance is in state shutting-down.',
    });
  });
});

describe('createImage', () => {
  const input = {
    instanceId: 'i-0template',
    name: 'domino-prod-executor-20240305-0708',
    description: 'd'.repeat(300),
    noReboot: false,
    deviceNames: ['/dev/xvda', '/dev/xvdb', '/dev/sdf'],
    tags: { 'ami-bot:bake-id': 'bake-20240305-abcd', 'created-by': 'ami-bot' },
  };

  it('sets DeleteOnTermination on every device and tags image and snapshots', async () => {
    ec2Mock.on(CreateImageCommand).resolves({ ImageId: 'ami-0new' });
    expect(await ec2.createImage(input)).toBe('ami-0new');
    const sent = ec2Mock.commandCalls(CreateImageCommand)[0]!.args[0].input;
    const tags = [
      { Key: 'ami-bot:bake-id', Value: 'bake-20240305-abcd' },
      { Key: 'created-by', Value: 'ami-bot' },
    ];
    expect(sent).toEqual({
      InstanceId: 'i-0template',
      Name: 'domino-prod-executor-20240305-0708',
      Description: 'd'.repeat(255),
      NoReboot: false,
      BlockDeviceMappings: [
        { DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: true } },
        { DeviceName: '/dev/xvdb', Ebs: { DeleteOnTermination: true } },
        { DeviceName: '/dev/sdf', Ebs: { DeleteOnTermination: true } },
      ],
      TagSpecifications: [
        { ResourceType: 'image', Tags: tags },
        { ResourceType: 'snapshot', Tags: tags },
      ],
    });
    // Only DeleteOnTermination may be changed for existing volumes: nothing else is sent in Ebs.
    for (const mapping of sent.BlockDeviceMappings ?? [])
      expect(Object.keys(mapping.Ebs ?? {})).toEqual(['DeleteOnTermination']);
  });

  it('turns InvalidAMIName.Duplicate into ami_name_taken', async () => {
    ec2Mock
      .on(CreateImageCommand)
      .rejects(
        awsError(
          'InvalidAMIName.Duplicate',
          'AMI name domino-prod-executor-20240305-0708 is already in use by AMI ami-0abc',
        ),
      );
    const error = await ec2.createImage(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'ami_name_taken', details: { name: input.name } });
    expect((error as AppError).message).toContain('domino-prod-executor-20240305-0708 already exists');
  });
});
