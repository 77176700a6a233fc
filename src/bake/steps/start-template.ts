import type { BakeStep, StepFn } from '../bake-context.js';
import { describeTemplate, waitForInstanceState, waitForSsmAgent } from './instance-waits.js';

/**
 * Records the state the template was found in (before touching it), starts it if it was
 * stopped, and waits for it to run with its SSM agent online.
 */
const run: StepFn = async (ctx) => {
  const minutes = ctx.settings.instanceReadyMinutes;
  let instance = await describeTemplate(ctx);
  if (ctx.bake.facts.originalState === undefined) {
    // A template caught mid-transition is judged by where it is heading.
    if (instance.state === 'stopping') await waitForInstanceState(ctx, 'stopped', minutes);
    if (instance.state === 'pending') await waitForInstanceState(ctx, 'running', minutes);
    instance = await describeTemplate(ctx);
    const original = instance.state === 'running' ? 'running' : 'stopped';
    await ctx.save({ facts: { originalState: original } });
  }
  let started = false;
  if (instance.state === 'stopped') {
    await ctx.deps.ec2.startInstance(instance.id);
    started = true;
  }
  if (instance.state !== 'running') await waitForInstanceState(ctx, 'running', minutes);
  await waitForSsmAgent(ctx, minutes);
  return `${started ? 'started' : 'already running'}; found ${ctx.bake.facts.originalState}; SSM agent online`;
};

export const startTemplate: BakeStep<'start-template'> = {
  name: 'start-template',
  title: 'Start the template, wait for SSM',
  run,
};
