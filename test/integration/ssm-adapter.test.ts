import {
  CancelCommandCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  InvalidCommandId,
  InvalidInstanceId,
  InvocationDoesNotExist,
  ListCommandsCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSsmAdapter } from '../../src/adapters/aws/ssm-adapter.js';
import type { SsmPort } from '../../src/ports/ssm.js';

const meta = { $metadata: { httpStatusCode: 400 }, message: 'simulated' };
const client = new SSMClient({ region: 'us-east-1' });
const ssmMock = mockClient(client);
let ssm: SsmPort;

beforeEach(() => {
  ssmMock.reset();
  ssm = createSsmAdapter(client);
});

describe('isAgentOnline', () => {
  it('asks for this instance only and needs PingStatus Online', async () => {
    ssmMock
      .on(DescribeInstanceInformationCommand)
      .resolvesOnce({ InstanceInformationList: [{ InstanceId: 'i-1', PingStatus: 'Online' }] })
      .resolvesOnce({ InstanceInformationList: [{ InstanceId: 'i-1', PingStatus: 'ConnectionLost' }] })
      .resolvesOnce({ InstanceInformationList: [] });
    expect(await ssm.isAgentOnline('i-1')).toBe(true);
    expect(await ssm.isAgentOnline('i-1')).toBe(false);
    expect(await ssm.isAgentOnline('i-1')).toBe(false);
    expect(ssmMock.commandCalls(DescribeInstanceInformationCommand)[0]!.args[0].input).toEqual({
      Filters: [{ Key: 'InstanceIds', Values: ['i-1'] }],
    });
  });
});

describe('sendShellCommand', () => {
  it('sends AWS-RunShellScript with the execution timeout, a delivery timeout and a ≤100-char comment', async () => {
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
    const id = await ssm.sendShellCommand({
      instanceId: 'i-1',
      commands: ["docker pull 'ubuntu'"],
      comment: `ami-bot bake-20240305-abcd pull-0-a1 ${'x'.repeat(200)}`,
      executionTimeoutSeconds: 1800,
    });
    expect(id).toBe('cmd-1');
    const input = ssmMock.commandCalls(SendCommandCommand)[0]!.args[0].input;
    expect(input).toEqual({
      InstanceIds: ['i-1'],
      DocumentName: 'AWS-RunShellScript',
      Parameters: { commands: ["docker pull 'ubuntu'"], executionTimeout: ['1800'] },
      Comment: `ami-bot bake-20240305-abcd pull-0-a1 ${'x'.repeat(200)}`.slice(0, 100),
      TimeoutSeconds: 600,
    });
    expect(input.Comment).toHaveLength(100);
  });

  it('keeps executionTimeout within what AWS-RunShellScript accepts', async () => {
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
    await ssm.sendShellCommand({
      instanceId: 'i-1',
      commands: ['true'],
      comment: 'c',
      executionTimeoutSeconds: 999_999,
    });
    await ssm.sendShellCommand({ instanceId: 'i-1', commands: ['true'], comment: 'c', executionTimeoutSeconds: 0 });
    const timeouts = ssmMock.commandCalls(SendCommandCommand).map((c) => c.args[0].input.Parameters?.executionTimeout);
    expect(timeouts).toEqual([['172800'], ['1']]);
  });

  it('explains an instance SSM does not manage', async () => {
    ssmMock.on(SendCommandCommand).rejects(new InvalidInstanceId(meta));
    await expect(
      ssm.sendShellCommand({ instanceId: 'i-1', commands: ['true'], comment: 'c', executionTimeoutSeconds: 60 }),
    ).rejects.toMatchObject({
      code: 'aws_InvalidInstanceId',
      message: expect.stringContaining('run a shell command on i-1'),
    });
  });
});

describe('getInvocation', () => {
  it('reports InvocationDoesNotExist as Pending, not finished', async () => {
    ssmMock.on(GetCommandInvocationCommand).rejects(new InvocationDoesNotExist(meta));
    expect(await ssm.getInvocation('cmd-1', 'i-1')).toEqual({
      commandId: 'cmd-1',
      status: 'Pending',
      isFinished: false,
      stdout: '',
      stderr: '',
      stdoutTruncated: false,
      stderrTruncated: false,
    });
  });

  it('maps a finished invocation with exit code, output and times', async () => {
    ssmMock.on(GetCommandInvocationCommand).resolves({
      Status: 'Failed',
      StatusDetails: 'Failed',
      ResponseCode: 2,
      StandardOutputContent: 'Summary for local',
      StandardErrorContent: 'boom',
      ExecutionStartDateTime: '2024-03-05T07:00:00.123Z',
      ExecutionEndDateTime: '2024-03-05T07:12:30.456Z',
    });
    expect(await ssm.getInvocation('cmd-1', 'i-1')).toEqual({
      commandId: 'cmd-1',
      status: 'Failed',
      isFinished: true,
      exitCode: 2,
      stdout: 'Summary for local',
      stderr: 'boom',
      stdoutTruncated: false,
      stderrTruncated: false,
      startedAt: new Date('2024-03-05T07:00:00.123Z'),
      endedAt: new Date('2024-03-05T07:12:30.456Z'),
    });
    expect(ssmMock.commandCalls(GetCommandInvocationCommand)[0]!.args[0].input).toEqual({
      CommandId: 'cmd-1',
      InstanceId: 'i-1',
    });
  });

  it('flags output cut at SSM’s 24,000 / 8,000 character limits', async () => {
    ssmMock
      .on(GetCommandInvocationCommand)
      .resolvesOnce({
        Status: 'Success',
        ResponseCode: 0,
        StandardOutputContent: 'o'.repeat(24_000),
        StandardErrorContent: 'e'.repeat(8_000),
      })
      .resolvesOnce({
        Status: 'Success',
        ResponseCode: 0,
        StandardOutputContent: 'o'.repeat(23_999),
        StandardErrorContent: 'e'.repeat(7_999),
      });
    expect(await ssm.getInvocation('cmd-1', 'i-1')).toMatchObject({
      stdoutTruncated: true,
      stderrTruncated: true,
      exitCode: 0,
    });
    expect(await ssm.getInvocation('cmd-1', 'i-1')).toMatchObject({ stdoutTruncated: false, stderrTruncated: false });
  });

  it.each([
    [
      { Status: 'InProgress' as const, ResponseCode: -1, ExecutionStartDateTime: '', ExecutionEndDateTime: '' },
      'InProgress',
      false,
    ],
    [{ Status: 'Delayed' as const }, 'Delayed', false],
    [{ Status: 'Cancelling' as const }, 'Cancelling', false],
    [{ Status: 'Success' as const }, 'Success', true],
    [{ Status: 'Cancelled' as const }, 'Cancelled', true],
    [{ Status: 'TimedOut' as const, StatusDetails: 'ExecutionTimedOut' }, 'TimedOut', true],
    [{ Status: 'Failed' as const, StatusDetails: 'Undeliverable' }, 'Undeliverable', true],
    [{ Status: 'Failed' as const, StatusDetails: 'Terminated' }, 'Terminated', true],
  ])('%j → %s (finished: %s)', async (out, status, isFinished) => {
    ssmMock.on(GetCommandInvocationCommand).resolves(out);
    const invocation = await ssm.getInvocation('cmd-1', 'i-1');
    expect(invocation).toMatchObject({ status, isFinished });
    expect(invocation.exitCode).toBeUndefined();
    expect(invocation.startedAt).toBeUndefined();
  });
});

describe('findCommandByComment', () => {
  it('reads a few pages and returns the newest exact match', async () => {
    const comment = 'ami-bot bake-20240305-abcd highstate';
    ssmMock
      .on(ListCommandsCommand)
      .resolvesOnce({
        Commands: [
          { CommandId: 'older', Comment: comment, RequestedDateTime: new Date('2024-03-05T07:00:00Z') },
          { CommandId: 'other', Comment: `${comment} (2)`, RequestedDateTime: new Date('2024-03-05T09:00:00Z') },
        ],
        NextToken: 'p2',
      })
      .resolvesOnce({
        Commands: [{ CommandId: 'newer', Comment: comment, RequestedDateTime: new Date('2024-03-05T08:00:00Z') }],
      });
    expect(await ssm.findCommandByComment('i-1', comment)).toBe('newer');
    expect(ssmMock.commandCalls(ListCommandsCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceId: 'i-1', MaxResults: 50, NextToken: undefined },
      { InstanceId: 'i-1', MaxResults: 50, NextToken: 'p2' },
    ]);
  });

  it('matches a long comment the way SendCommand stored it (first 100 chars), and stops after 5 pages', async () => {
    const long = `ami-bot ${'y'.repeat(150)}`;
    ssmMock
      .on(ListCommandsCommand)
      .resolves({ Commands: [{ CommandId: 'c', Comment: long.slice(0, 100) }], NextToken: 'more' });
    expect(await ssm.findCommandByComment('i-1', long)).toBe('c');
    expect(ssmMock.commandCalls(ListCommandsCommand)).toHaveLength(5);
  });

  it('returns undefined when nothing matches', async () => {
    ssmMock.on(ListCommandsCommand).resolves({ Commands: [{ CommandId: 'c', Comment: 'something else' }] });
    expect(await ssm.findCommandByComment('i-1', 'ami-bot x')).toBeUndefined();
  });
});

describe('cancelCommand', () => {
  it('cancels on this instance; an already finished or expired command is fine', async () => {
    ssmMock.on(CancelCommandCommand).resolvesOnce({}).rejectsOnce(new InvalidCommandId(meta));
    await ssm.cancelCommand('cmd-1', 'i-1');
    await expect(ssm.cancelCommand('cmd-1', 'i-1')).resolves.toBeUndefined();
    expect(ssmMock.commandCalls(CancelCommandCommand)[0]!.args[0].input).toEqual({
      CommandId: 'cmd-1',
      InstanceIds: ['i-1'],
    });
  });

  it('maps other failures', async () => {
    ssmMock.on(CancelCommandCommand).rejects(new InvalidInstanceId(meta));
    await expect(ssm.cancelCommand('cmd-1', 'i-1')).rejects.toMatchObject({ code: 'aws_InvalidInstanceId' });
  });
});
