import { userMessage } from '../errors.js';
import type { StepContext } from './bake-context.js';
import { imageReferences } from './image-in-use.js';
import { restoreTemplateState } from './steps/restore-template.js';

/**
 * Undo after a failure or a cancel, every part safe to repeat after a crash: stop our SSM
 * commands, deregister an image that never became a recorded result, return the template.
 * Returns the lines to tell the user; a part that cannot be undone says what to do by hand.
 */
export async function compensate(ctx: StepContext): Promise<string[]> {
  const lines: string[] = [];
  const { ec2, ssm } = ctx.deps;
  const { facts } = ctx.bake;

  if (facts.instanceId && facts.commands) {
    for (const commandId of Object.values(facts.commands)) {
      await ssm.cancelCommand(commandId, facts.instanceId).catch((error: unknown) => {
        ctx.log.warn({ err: error, commandId }, 'could not cancel an SSM command');
      });
    }
  }

  const imageKept = ctx.bake.steps.record.state === 'done';
  // Checked on every run of the cleanup (also after a crash): a reference may have appeared meanwhile.
  const inUse =
    facts.imageId && !imageKept && !facts.imageDeregistered
      ? await imageReferences(ctx.deps, facts.imageId, ctx.bake.createdAt)
      : [];
  if (facts.imageId && inUse.length > 0) {
    ctx.log.warn({ imageId: facts.imageId, references: inUse }, 'unfinished AMI kept: something references it');
    lines.push(
      `Kept the unfinished AMI ${facts.imageId}: ${inUse.join('; ')}. Deregister it in the EC2 console once nothing uses it.`,
    );
  } else if (facts.imageId && !imageKept && !facts.imageDeregistered) {
    try {
      await ec2.deregisterImage(facts.imageId);
      await ctx.save({ 'facts.imageDeregistered': true });
      lines.push(`Deregistered the unfinished AMI ${facts.imageId} and its snapshots.`);
    } catch (error) {
      lines.push(`Could not deregister ${facts.imageId} (${userMessage(error)}): deregister it in the EC2 console.`);
    }
  } else if (facts.imageDeregistered) {
    lines.push(`The unfinished AMI ${facts.imageId} was deregistered.`);
  }

  try {
    lines.push(`${capitalise(await restoreTemplateState(ctx))}.`);
  } catch (error) {
    lines.push(
      `Could not return the template ${facts.instanceId} to ${facts.originalState} (${userMessage(error)}): check it in the EC2 console.`,
    );
  }
  return lines;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
