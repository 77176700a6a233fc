import { AppError } from '../errors.js';
import type { CommandInvocation } from '../ports/ssm.js';
import type { StepContext } from './bake-context.js';
import { pollUntil } from './wait.js';

export interface RunCommandOptions {
  /** Unique per bake and attempt (inventory, pull-2-a1, highstate); part of the SSM comment. */
  key: string;
  commands: () => string[];
  timeoutSeconds: number;
}

/** The SSM comment that lets a restarted bot find a command it sent before it could save the id. */
export function commandComment(bakeId: string, key: string): string {
  return `ami-bot ${bakeId} ${key}`;
}

/**
 * Sends an SSM shell command at most once per key and waits for it to finish.
 * The id is saved before waiting; after a crash the command is re-attached by its saved id, or
 * found again by its comment if the crash fell between SendCommand and the save.
 */
export async function runCommandOnce(ctx: StepContext, options: RunCommandOptions): Promise<CommandInvocation> {
  const { ssm, clock } = ctx.deps;
  const instanceId = ctx.bake.facts.instanceId;
  if (!instanceId) throw new AppError('internal_error', 'No template instance recorded before an SSM command.');
  let commandId = ctx.bake.facts.commands?.[options.key];
  if (!commandId) {
    const comment = commandComment(ctx.bake._id, options.key);
    commandId = await ssm.findCommandByComment(instanceId, comment);
    if (commandId) ctx.log.info({ commandId, key: options.key }, 're-attached to an SSM command sent before a restart');
    commandId ??= await ssm.sendShellCommand({
      instanceId,
      commands: options.commands(),
      comment,
      executionTimeoutSeconds: Math.round(options.timeoutSeconds),
    });
    await ctx.save({ command: { key: options.key, id: commandId } });
  }
  const id = commandId;
  // SSM enforces executionTimeout itself; our deadline only guards against a lost agent.
  const deadline = new Date(clock.now().getTime() + (options.timeoutSeconds + 600) * 1000);
  return pollUntil({
    clock,
    signal: ctx.signal,
    deadline,
    minMs: ctx.settings.commandPollSeconds * 1000,
    maxMs: ctx.settings.commandPollSeconds * 5000,
    factor: 1.3,
    check: async () => {
      const invocation = await ssm.getInvocation(id, instanceId);
      return invocation.isFinished ? invocation : undefined;
    },
    onTimeout: () =>
      new AppError(
        'ssm_command_lost',
        `The SSM command ${id} (${options.key}) did not finish in time; check the SSM agent on ${instanceId}.`,
      ),
  });
}

export function invocationSeconds(invocation: CommandInvocation): number | undefined {
  if (!invocation.startedAt || !invocation.endedAt) return undefined;
  return Math.max(0, (invocation.endedAt.getTime() - invocation.startedAt.getTime()) / 1000);
}

/**
 * Undo of a step that sends SSM commands: stops the ones it sent under its key (`key` or `key-…`), so a cancelled
 * bake leaves nothing running on the template. A command that cannot be stopped is logged, not reported.
 */
export async function cancelOwnCommands(ctx: StepContext, key: string): Promise<string[]> {
  const { instanceId, commands } = ctx.bake.facts;
  if (!instanceId || !commands) return [];
  for (const [commandKey, commandId] of Object.entries(commands)) {
    if (commandKey !== key && !commandKey.startsWith(`${key}-`)) continue;
    await ctx.deps.ssm.cancelCommand(commandId, instanceId).catch((error: unknown) => {
      ctx.log.warn({ err: error, commandId }, 'could not cancel an SSM command');
    });
  }
  return [];
}
