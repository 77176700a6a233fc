import type { BakeStep, StepContext } from '../bake-context.js';
import { describeTemplate, waitForInstanceState } from './instance-waits.js';

/** Puts the template back in the state it was found in (stopped templates are stopped again). */
export async function restoreTemplateState(ctx: StepContext): Promise<string> {
  const { instanceId, originalState } = ctx.bake.facts;
  if (!instanceId || originalState === undefined) return 'nothing to restore (template never touched)';
  if (ctx.bake.facts.templateRestored) return `template already ${originalState}`;
  let instance = await describeTemplate(ctx);
  if (originalState === 'stopped' && instance.state === 'pending') {
    // EC2 refuses to stop an instance that is still booting: let it finish first.
    await waitForInstanceState(ctx, 'running', ctx.settings.instanceReadyMinutes);
    instance = await describeTemplate(ctx);
  }
  if (originalState === 'stopped' && instance.state !== 'stopped') {
    if (instance.state !== 'stopping') await ctx.deps.ec2.stopInstance(instanceId);
    await waitForInstanceState(ctx, 'stopped', ctx.settings.instanceReadyMinutes);
  }
  await ctx.save({ facts: { templateRestored: true } });
  return originalState === 'stopped' ? 'template stopped again' : 'template left running, as it was found';
}

export const restoreTemplate: BakeStep<'restore-template'> = {
  name: 'restore-template',
  title: 'Return the template to its state',
  run: (ctx) => restoreTemplateState(ctx),
};
