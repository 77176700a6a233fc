import { amiReadyMessage } from '../../slack/blocks/bake-message.js';
import type { StepFn } from '../bake-context.js';

/** The AMI id and name on the bake and in the thread, with the next steps as buttons. */
export const record: StepFn = async (ctx) => {
  const { imageId, imageName } = ctx.bake.facts;
  const message = amiReadyMessage({
    bakeId: ctx.bake._id,
    imageId: imageId ?? '',
    imageName: imageName ?? '',
    ...(ctx.deployment.testTier ? { testTier: ctx.deployment.testTier } : {}),
  });
  await ctx.progress.thread(message.text, message.blocks);
  return `${imageId} (${imageName})`;
};
