import type { BakeStep, StepFn } from '../bake-context.js';

/** The AMI id and name on the bake and in the thread, with the next steps as buttons. */
const run: StepFn = async (ctx) => {
  const { imageId, imageName } = ctx.bake.facts;
  const message = ctx.deps.presenter.amiReady({
    bakeId: ctx.bake._id,
    imageId: imageId ?? '',
    imageName: imageName ?? '',
    ...(ctx.deployment.testTier ? { testTier: ctx.deployment.testTier } : {}),
  });
  const ts = await ctx.progress.thread(message);
  // The buttons' own message: a click on Test / Plan rollout must come from it (bake-record.ts isFromOwnMessage).
  if (ts) await ctx.save({ facts: { nextStepsTs: ts } });
  return `${imageId} (${imageName})`;
};

export const record: BakeStep<'record'> = {
  name: 'record',
  title: 'Record the AMI',
  run,
};
