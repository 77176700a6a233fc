import { AppError } from '../../errors.js';
import type { InstanceInfo, InstanceState } from '../../ports/ec2.js';
import type { StepContext } from '../bake-context.js';
import { minutesFrom, pollUntil } from '../wait.js';

export async function describeTemplate(ctx: StepContext): Promise<InstanceInfo> {
  const id = ctx.bake.facts.instanceId!;
  const instance = await ctx.deps.ec2.describeInstance(id);
  if (!instance || instance.state === 'terminated') {
    throw new AppError('template_gone', `The template instance ${id} no longer exists (terminated?).`);
  }
  return instance;
}

/** The template's waits: at once, then every 5 s backing off to 15 s, for up to `minutes`. */
async function pollTemplate(
  ctx: StepContext,
  minutes: number,
  done: () => Promise<boolean>,
  onTimeout: () => AppError,
): Promise<void> {
  await pollUntil({
    clock: ctx.deps.clock,
    signal: ctx.signal,
    deadline: minutesFrom(ctx.deps.clock, minutes),
    minMs: 5_000,
    maxMs: 15_000,
    check: async () => ((await done()) ? true : undefined),
    onTimeout,
  });
}

/** Waits until the template reaches `state` (e.g. running after StartInstances). */
export async function waitForInstanceState(ctx: StepContext, state: InstanceState, minutes: number): Promise<void> {
  await pollTemplate(
    ctx,
    minutes,
    async () => (await describeTemplate(ctx)).state === state,
    () =>
      new AppError(
        'instance_state_timeout',
        `The template ${ctx.bake.facts.instanceId} did not become ${state} within ${minutes} min. Look at it in the EC2 console.`,
      ),
  );
}

/** Waits until the SSM agent on the template answers (it needs a minute or two after boot). */
export async function waitForSsmAgent(ctx: StepContext, minutes: number): Promise<void> {
  const id = ctx.bake.facts.instanceId!;
  await pollTemplate(
    ctx,
    minutes,
    () => ctx.deps.ssm.isAgentOnline(id),
    () =>
      new AppError(
        'ssm_agent_offline',
        `The SSM agent on ${id} did not come online within ${minutes} min. Check the instance profile (AmazonSSMManagedInstanceCore) and network access to SSM.`,
      ),
  );
}
