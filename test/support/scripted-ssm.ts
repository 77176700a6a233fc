// SSM Run Command scripted with aws-sdk-client-mock, for the SSM port contract on the real adapter (moto runs no
// SSM command). It answers the way SSM does: GetCommandInvocation says InvocationDoesNotExist until the agent has
// picked the command up, then InProgress (ResponseCode -1, no output yet), then the outcome with the output cut to
// 24,000 / 8,000 chars; CancelCommand of a finished command is InvalidCommandId; SendCommand to an instance whose
// agent is not online is InvalidInstanceId. Time moves only when the test calls `advance()`.

import { randomUUID } from 'node:crypto';
import {
  CancelCommandCommand,
  type CancelCommandCommandInput,
  DescribeInstanceInformationCommand,
  type DescribeInstanceInformationCommandInput,
  GetCommandInvocationCommand,
  type GetCommandInvocationCommandInput,
  InvalidCommandId,
  InvalidInstanceId,
  InvocationDoesNotExist,
  ListCommandsCommand,
  type ListCommandsCommandInput,
  SendCommandCommand,
  type SendCommandCommandInput,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';

/** What the host does with a script: its output and exit code, or `hang` for one that runs until cancelled. */
export type ScriptOutcome = { stdout?: string; stderr?: string; exitCode: number } | 'hang';

export interface ScriptedSsmOptions {
  /** Instances whose agent is Online; `offline` ones are registered but ConnectionLost. */
  online: string[];
  offline: string[];
  run(commands: string[]): ScriptOutcome;
}

interface Sent {
  id: string;
  instanceId: string;
  comment: string;
  requestedAt: Date;
  outcome: ScriptOutcome;
  /** advance() rounds since SendCommand: 0 not delivered, 1 running, 2+ finished (unless it hangs). */
  age: number;
  cancelled?: { age: number };
}

const meta = (message: string) => ({ $metadata: { httpStatusCode: 400, requestId: 'scripted-ssm' }, message });
const STDOUT_LIMIT = 24_000;
const STDERR_LIMIT = 8_000;

export function createScriptedSsm(options: ScriptedSsmOptions): { client: SSMClient; advance(): Promise<void> } {
  const client = new SSMClient({ region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
  const mock = mockClient(client);
  const sent: Sent[] = [];
  let clockMs = Date.parse('2026-09-01T09:00:00Z');
  const iso = (age: number, sentAt: Date) => new Date(sentAt.getTime() + age * 1000).toISOString();

  mock.on(DescribeInstanceInformationCommand).callsFake((input: DescribeInstanceInformationCommandInput) => {
    const wanted = input.Filters?.find((f) => f.Key === 'InstanceIds')?.Values ?? [];
    const list = [...options.online, ...options.offline]
      .filter((id) => wanted.includes(id))
      .map((id) => ({ InstanceId: id, PingStatus: options.online.includes(id) ? 'Online' : 'ConnectionLost' }));
    return { InstanceInformationList: list };
  });

  mock.on(SendCommandCommand).callsFake((input: SendCommandCommandInput) => {
    const instanceId = input.InstanceIds?.[0] ?? '';
    if (!options.online.includes(instanceId))
      throw new InvalidInstanceId(meta(`Instances [[${instanceId}]] not in a valid state for account 123456789012`));
    const id = randomUUID();
    const commands = (input.Parameters?.commands ?? []) as string[];
    clockMs += 1000;
    const requestedAt = new Date(clockMs);
    sent.push({ id, instanceId, comment: input.Comment ?? '', requestedAt, outcome: options.run(commands), age: 0 });
    return { Command: { CommandId: id, Comment: input.Comment, RequestedDateTime: requestedAt, Status: 'Pending' } };
  });

  mock.on(GetCommandInvocationCommand).callsFake((input: GetCommandInvocationCommandInput) => {
    const c = sent.find((s) => s.id === input.CommandId && s.instanceId === input.InstanceId);
    if (!c || c.age === 0) throw new InvocationDoesNotExist(meta('Invocation does not exist'));
    const base = { CommandId: c.id, InstanceId: c.instanceId, ExecutionStartDateTime: iso(1, c.requestedAt) };
    if (c.cancelled) {
      const done = c.age > c.cancelled.age;
      return done
        ? { ...base, Status: 'Cancelled', StatusDetails: 'Cancelled', ResponseCode: -1 }
        : { ...base, Status: 'Cancelling', StatusDetails: 'Cancelling', ResponseCode: -1 };
    }
    if (c.outcome === 'hang' || c.age === 1)
      return {
        ...base,
        Status: 'InProgress',
        StatusDetails: 'InProgress',
        ResponseCode: -1,
        StandardOutputContent: '',
      };
    const { stdout = '', stderr = '', exitCode } = c.outcome;
    const status = exitCode === 0 ? 'Success' : 'Failed';
    return {
      ...base,
      Status: status,
      StatusDetails: status,
      ResponseCode: exitCode,
      ExecutionEndDateTime: iso(2, c.requestedAt),
      StandardOutputContent: stdout.slice(0, STDOUT_LIMIT),
      StandardErrorContent: stderr.slice(0, STDERR_LIMIT),
    };
  });

  mock.on(ListCommandsCommand).callsFake((input: ListCommandsCommandInput) => ({
    // Newest first, as the console shows them; the adapter does not rely on the order.
    Commands: sent
      .filter((s) => s.instanceId === input.InstanceId)
      .reverse()
      .map((s) => ({ CommandId: s.id, Comment: s.comment, RequestedDateTime: s.requestedAt })),
  }));

  mock.on(CancelCommandCommand).callsFake((input: CancelCommandCommandInput) => {
    const c = sent.find((s) => s.id === input.CommandId);
    const finished = c && !c.cancelled && c.outcome !== 'hang' && c.age >= 2;
    if (!c || finished || (c.cancelled && c.age > c.cancelled.age))
      throw new InvalidCommandId(meta('InvalidCommandId'));
    c.cancelled ??= { age: c.age };
    return {};
  });

  return {
    client,
    async advance() {
      for (const s of sent) s.age++;
    },
  };
}
