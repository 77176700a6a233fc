import {
  CancelCommandCommand,
  type Command,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  type GetCommandInvocationCommandOutput,
  ListCommandsCommand,
  SendCommandCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { AppError } from '../../errors.js';
import type { CommandInvocation, CommandStatus, SsmPort } from '../../ports/ssm.js';
import { pendingInvocation } from '../../shared/pending-invocation.js';
import { callAws, fromAwsError, isAwsError } from './aws-errors.js';

/** SSM keeps only the first 24,000 chars of stdout and 8,000 of stderr in GetCommandInvocation. */
export const STDOUT_LIMIT = 24_000;
export const STDERR_LIMIT = 8_000;
/** SendCommand's Comment is at most 100 characters. */
export const COMMENT_LIMIT = 100;
/** How long SSM may wait for the agent to pick the command up (not the run time). */
export const DELIVERY_TIMEOUT_SECONDS = 600;
/** AWS-RunShellScript accepts executionTimeout 1…172,800 s. */
const MAX_EXECUTION_TIMEOUT = 172_800;
/** ListCommands pages to read when re-attaching: enough for a template's recent history, bounded. */
const MAX_LIST_PAGES = 5;

const FINISHED = new Set<CommandStatus>(['Success', 'Cancelled', 'TimedOut', 'Failed', 'Undeliverable', 'Terminated']);
const STATUSES = new Set<string>([...FINISHED, 'Pending', 'InProgress', 'Delayed', 'Cancelling']);

/** Truncation is applied the same way when sending and when searching, so comments match exactly. */
export function ssmComment(comment: string): string {
  return comment.slice(0, COMMENT_LIMIT);
}

function parseSsmDate(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** `Undeliverable` and `Terminated` only show up in StatusDetails; Status then says Failed. */
function commandStatus(out: GetCommandInvocationCommandOutput): CommandStatus {
  const detail = out.StatusDetails;
  if (detail === 'Undeliverable' || detail === 'Terminated') return detail;
  const status = out.Status ?? 'Pending';
  return STATUSES.has(status) ? (status as CommandStatus) : 'InProgress';
}

export function toCommandInvocation(commandId: string, out: GetCommandInvocationCommandOutput): CommandInvocation {
  const status = commandStatus(out);
  const stdout = out.StandardOutputContent ?? '';
  const stderr = out.StandardErrorContent ?? '';
  const invocation: CommandInvocation = {
    commandId,
    status,
    isFinished: FINISHED.has(status),
    stdout,
    stderr,
    stdoutTruncated: stdout.length >= STDOUT_LIMIT,
    stderrTruncated: stderr.length >= STDERR_LIMIT,
  };
  // ResponseCode is -1 until the script has exited.
  if (out.ResponseCode !== undefined && out.ResponseCode !== -1) invocation.exitCode = out.ResponseCode;
  const startedAt = parseSsmDate(out.ExecutionStartDateTime);
  const endedAt = parseSsmDate(out.ExecutionEndDateTime);
  if (startedAt) invocation.startedAt = startedAt;
  if (endedAt) invocation.endedAt = endedAt;
  return invocation;
}

function newest(commands: Command[]): Command | undefined {
  return commands.reduce<Command | undefined>((best, c) => {
    const t = c.RequestedDateTime?.getTime() ?? 0;
    return best === undefined || t > (best.RequestedDateTime?.getTime() ?? 0) ? c : best;
  }, undefined);
}

/** Real SSM adapter; retries for throttling come from the client's retry strategy. */
export function createSsmAdapter(client: SSMClient): SsmPort {
  return {
    async isAgentOnline(instanceId) {
      const out = await callAws('ssm:DescribeInstanceInformation', `check the SSM agent on ${instanceId}`, () =>
        client.send(
          new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [instanceId] }] }),
        ),
      );
      return (out.InstanceInformationList ?? []).some((i) => i.InstanceId === instanceId && i.PingStatus === 'Online');
    },

    async sendShellCommand(input) {
      const timeout = Math.min(MAX_EXECUTION_TIMEOUT, Math.max(1, Math.round(input.executionTimeoutSeconds)));
      const out = await callAws('ssm:SendCommand', `run a shell command on ${input.instanceId}`, () =>
        client.send(
          new SendCommandCommand({
            InstanceIds: [input.instanceId],
            DocumentName: 'AWS-RunShellScript',
            Parameters: { commands: input.commands, executionTimeout: [String(timeout)] },
            Comment: ssmComment(input.comment),
            TimeoutSeconds: DELIVERY_TIMEOUT_SECONDS,
          }),
        ),
      );
      const commandId = out.Command?.CommandId;
      if (!commandId)
        throw new AppError(
          'aws_no_command_id',
          `SSM accepted the command for ${input.instanceId} but returned no command id.`,
        );
      return commandId;
    },

    async getInvocation(commandId, instanceId) {
      try {
        const out = await client.send(
          new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
        );
        return toCommandInvocation(commandId, out);
      } catch (error) {
        // Right after SendCommand the invocation may not exist yet: that means "not started", not failure.
        if (isAwsError(error, 'InvocationDoesNotExist')) return pendingInvocation(commandId);
        throw fromAwsError(error, {
          api: 'ssm:GetCommandInvocation',
          what: `read command ${commandId} on ${instanceId}`,
        });
      }
    },

    async findCommandByComment(instanceId, comment) {
      const wanted = ssmComment(comment);
      const matches: Command[] = [];
      let NextToken: string | undefined;
      for (let page = 0; page < MAX_LIST_PAGES; page++) {
        const out = await callAws('ssm:ListCommands', `list commands sent to ${instanceId}`, () =>
          client.send(new ListCommandsCommand({ InstanceId: instanceId, MaxResults: 50, NextToken })),
        );
        matches.push(...(out.Commands ?? []).filter((c) => c.Comment === wanted));
        NextToken = out.NextToken;
        if (!NextToken) break;
      }
      // AWS does not document the order of ListCommands, so pick the newest explicitly.
      return newest(matches)?.CommandId;
    },

    async cancelCommand(commandId, instanceId) {
      try {
        await client.send(new CancelCommandCommand({ CommandId: commandId, InstanceIds: [instanceId] }));
      } catch (error) {
        // A command that already finished or expired has nothing left to cancel.
        if (isAwsError(error, 'InvalidCommandId', 'InvocationDoesNotExist')) return;
        throw fromAwsError(error, { api: 'ssm:CancelCommand', what: `cancel command ${commandId} on ${instanceId}` });
      }
    },
  };
}
