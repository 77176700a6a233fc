import type { Clock } from '../ports/clock.js';
import type { CommandInvocation, SsmPort } from '../ports/ssm.js';
import { pendingInvocation } from '../shared/pending-invocation.js';
import { awsError, simThrottle } from './aws-fault.js';
import type { Faults } from './faults.js';
import type { SimCommand, SimInstance, SimWorld } from './sim-world.js';
import { type CannedScripts, runScript } from './ssm-script.js';

const ACCOUNT_ID = '123456789012';
const COMMENT_LIMIT = 100;
/** The real adapter's SendCommand TimeoutSeconds (600 s). */
const DELIVERY_TIMEOUT_MS = 600_000;
const STDOUT_LIMIT = 24_000;
const STDERR_LIMIT = 8_000;
const FINISHED = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut', 'Undeliverable', 'Terminated']);

export interface SimSsmOptions {
  /** For the SSM port contract: outcomes of its own scripts, which the simulator does not model. */
  cannedScripts?: CannedScripts;
}

/** SSM Run Command with AWS-RunShellScript, running models of the scripts ami-bot sends on the simulated host. */
export function createSimSsm(world: SimWorld, clock: Clock, faults: Faults, options: SimSsmOptions = {}): SsmPort {
  const enter = async (): Promise<number> => {
    await simThrottle(world, clock, faults);
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
      // A stopped or never-registered instance is rejected outright; a running one whose agent is briefly
      // away (CreateImage's reboot) gets the command queued until the agent is back, up to the delivery timeout.
      if (instance === undefined || instance.state !== 'running' || faults.isOn('ssm-offline')) {
        throw awsError(
          'InvalidInstanceId',
          `Instances [[${input.instanceId}]] not in a valid state for account ${ACCOUNT_ID}`,
          'ssm:SendCommand',
          `run a shell command on ${input.instanceId}`,
        );
      }
      // Like the real adapter: the comment is cut to 100 chars, the timeout clamped to what SSM accepts.
      const comment = input.comment.slice(0, COMMENT_LIMIT);
      const timeout = Math.min(172_800, Math.max(1, Math.round(input.executionTimeoutSeconds)));
      const command: SimCommand = {
        id: world.ids.command(),
        instanceId: instance.id,
        comment,
        commands: input.commands.slice(),
        executionTimeoutSeconds: timeout,
        sentMs: nowMs,
        status: 'Pending',
        stdout: '',
        stderr: '',
      };
      world.commands.push(command);
      deliver(world, faults, instance, command, nowMs, options.cannedScripts);
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
      const wanted = comment.slice(0, COMMENT_LIMIT);
      const matches = world.commands.filter((c) => c.instanceId === instanceId && c.comment === wanted);
      return matches.sort((a, b) => b.sentMs - a.sentMs)[0]?.id;
    },
    async cancelCommand(commandId, instanceId) {
      const nowMs = await enter();
      const command = world.commands.find((c) => c.id === commandId && c.instanceId === instanceId);
      // AWS answers InvalidCommandId for unknown or finished commands; the real adapter treats it as done.
      if (command === undefined || FINISHED.has(command.status) || command.status === 'Cancelling') return;
      command.status = 'Cancelling';
      world.schedule(nowMs + world.draw(world.timings.ssmDelivery), (atMs) => {
        command.status = 'Cancelled';
        command.endMs = atMs;
      });
    },
  };
}

/** Pending until the agent picks the command up; Undeliverable if it is not back within the delivery timeout. */
function deliver(
  world: SimWorld,
  faults: Faults,
  instance: SimInstance,
  command: SimCommand,
  sentMs: number,
  canned: CannedScripts | undefined,
): void {
  const attempt = (atMs: number) => {
    if (command.status !== 'Pending') return; // cancelled before delivery
    if (instance.agentOnline && instance.state === 'running' && !faults.isOn('ssm-offline')) {
      const startMs = atMs + world.draw(world.timings.ssmDelivery);
      world.schedule(startMs, () => start(world, faults, instance, command, startMs, canned));
    } else if (atMs - sentMs >= DELIVERY_TIMEOUT_MS) {
      command.status = 'Undeliverable';
      command.endMs = atMs;
    } else world.schedule(atMs + 5_000, attempt);
  };
  attempt(sentMs);
}

function start(
  world: SimWorld,
  faults: Faults,
  instance: SimInstance,
  command: SimCommand,
  startMs: number,
  canned: CannedScripts | undefined,
): void {
  if (command.status !== 'Pending') return; // cancelled before delivery
  command.status = 'InProgress';
  command.startMs = startMs;
  const isFinished = () => command.status !== 'InProgress';
  world.schedule(startMs + command.executionTimeoutSeconds * 1000, (atMs) => {
    if (isFinished()) return;
    command.status = 'TimedOut';
    command.endMs = atMs;
  });
  runScript(world, instance, command, faults, {
    ...(canned ? { canned } : {}),
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
  // Output appears only once the invocation has ended, and only its first 24,000 / 8,000 chars. Like the real
  // adapter, which sees no more than that, output that fills the limit counts as cut (SSM cannot tell).
  const stdout = isFinished ? command.stdout : '';
  const stderr = isFinished ? command.stderr : '';
  return {
    commandId: command.id,
    status: command.status,
    isFinished,
    ...(command.exitCode === undefined ? {} : { exitCode: command.exitCode }),
    stdout: stdout.slice(0, STDOUT_LIMIT),
    stderr: stderr.slice(0, STDERR_LIMIT),
    stdoutTruncated: stdout.length >= STDOUT_LIMIT,
    stderrTruncated: stderr.length >= STDERR_LIMIT,
    ...(command.startMs === undefined ? {} : { startedAt: new Date(command.startMs) }),
    ...(command.endMs === undefined ? {} : { endedAt: new Date(command.endMs) }),
  };
}
