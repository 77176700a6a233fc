import { AppError } from '../errors.js';
import type { Clock, CommandInvocation, SsmPort } from '../ports.js';
import { dockerHandler } from './docker-commands.js';
import type { Faults } from './faults.js';
import { saltHandler } from './salt-highstate.js';
import type { SimCommand, SimInstance, SimWorld } from './sim-world.js';
import { runScript } from './ssm-script.js';

const STDOUT_LIMIT = 24_000;
const STDERR_LIMIT = 8_000;
const FINISHED = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut', 'Undeliverable', 'Terminated']);

/** SSM Run Command with AWS-RunShellScript, interpreting the scripts ami-bot sends on the simulated host. */
export function createSimSsm(world: SimWorld, clock: Clock, faults: Faults): SsmPort {
  const enter = async (): Promise<number> => {
    if (faults.isOn('aws-throttle')) await clock.sleep(world.draw({ min: 1000, max: 4000 }));
    const nowMs = clock.now().getTime();
    world.settle(nowMs);
    return nowMs;
  };
  const isOnline = (instance: SimInstance | undefined): instance is SimInstance =>
    instance !== undefined &&
    instance.state === 'running' &&
    instance.agentOnline &&
    instance.rebootingUntilMs === undefined &&
    !faults.isOn('ssm-offline');

  return {
    async isAgentOnline(instanceId) {
      await enter();
      return isOnline(world.instances.get(instanceId));
    },
    async sendShellCommand(input) {
      const nowMs = await enter();
      const instance = world.instances.get(input.instanceId);
      if (!isOnline(instance)) {
        throw new AppError(
          'ssm_instance_not_online',
          `The SSM agent on ${input.instanceId} is not online, so no command can be sent to it yet.`,
          { details: { awsCode: 'InvalidInstanceId', instanceId: input.instanceId } },
        );
      }
      if (input.comment.length > 100) {
        throw new AppError('aws_invalid_parameter', 'An SSM command comment is at most 100 characters.');
      }
      const timeout = input.executionTimeoutSeconds;
      if (!Number.isInteger(timeout) || timeout < 1 || timeout > 172_800) {
        throw new AppError('aws_invalid_parameter', 'executionTimeout must be a whole number of seconds in 1–172800.');
      }
      const command: SimCommand = {
        id: world.ids.command(),
        instanceId: instance.id,
        comment: input.comment,
        commands: input.commands.slice(),
        executionTimeoutSeconds: timeout,
        sentMs: nowMs,
        status: 'Pending',
        stdout: '',
        stderr: '',
      };
      world.commands.push(command);
      const startMs = nowMs + world.draw(world.timings.ssmDelivery);
      world.schedule(startMs, () => start(world, faults, instance, command, startMs));
      return command.id;
    },
    async getInvocation(commandId, instanceId) {
      await enter();
      const command = world.commands.find((c) => c.id === commandId && c.instanceId === instanceId);
      // GetCommandInvocation answers InvocationDoesNotExist until the agent picks the command up; the
      // port contract turns that into Pending, and so must we, even for an id we never issued.
      if (command === undefined) return pendingInvocation(commandId);
      return toInvocation(command);
    },
    async findCommandByComment(instanceId, comment) {
      await enter();
      const matches = world.commands.filter((c) => c.instanceId === instanceId && c.comment === comment);
      return matches.sort((a, b) => b.sentMs - a.sentMs)[0]?.id;
    },
    async cancelCommand(commandId, instanceId) {
      const nowMs = await enter();
      const command = world.commands.find((c) => c.id === commandId && c.instanceId === instanceId);
      if (command === undefined) {
        throw new AppError('ssm_command_not_found', `SSM command ${commandId} does not exist for ${instanceId}.`, {
          details: { awsCode: 'InvalidCommandId' },
        });
      }
      if (FINISHED.has(command.status) || command.status === 'Cancelling') return;
      command.status = 'Cancelling';
      world.schedule(nowMs + world.draw(world.timings.ssmDelivery), (atMs) => {
        command.status = 'Cancelled';
        command.endMs = atMs;
      });
    },
  };
}

function start(world: SimWorld, faults: Faults, instance: SimInstance, command: SimCommand, startMs: number): void {
  if (command.status !== 'Pending') return; // cancelled before delivery
  command.status = 'InProgress';
  command.startMs = startMs;
  const isFinished = () => command.status !== 'InProgress';
  world.schedule(startMs + command.executionTimeoutSeconds * 1000, (atMs) => {
    if (isFinished()) return;
    command.status = 'TimedOut';
    command.endMs = atMs;
  });
  runScript({ world, instance, command, faults }, [dockerHandler, saltHandler], {
    scriptPath: `/var/lib/amazon/ssm/${instance.id}/document/orchestration/${command.id}/awsrunShellScript/0.awsrunShellScript/_script.sh`,
    isFinished,
    finish(endMs, exitCode) {
      command.status = exitCode === 0 ? 'Success' : 'Failed';
      command.exitCode = exitCode;
      command.endMs = endMs;
    },
  });
}

function toInvocation(command: SimCommand): CommandInvocation {
  const isFinished = FINISHED.has(command.status);
  // Output appears only once the invocation has ended, and only its first 24,000 / 8,000 chars.
  const stdout = isFinished ? command.stdout : '';
  const stderr = isFinished ? command.stderr : '';
  return {
    commandId: command.id,
    status: command.status,
    isFinished,
    ...(command.exitCode === undefined ? {} : { exitCode: command.exitCode }),
    stdout: stdout.slice(0, STDOUT_LIMIT),
    stderr: stderr.slice(0, STDERR_LIMIT),
    stdoutTruncated: stdout.length > STDOUT_LIMIT,
    stderrTruncated: stderr.length > STDERR_LIMIT,
    ...(command.startMs === undefined ? {} : { startedAt: new Date(command.startMs) }),
    ...(command.endMs === undefined ? {} : { endedAt: new Date(command.endMs) }),
  };
}

function pendingInvocation(commandId: string): CommandInvocation {
  return {
    commandId,
    status: 'Pending',
    isFinished: false,
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
  };
}
