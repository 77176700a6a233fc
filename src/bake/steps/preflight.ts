import { AppError } from '../../errors.js';
import type { BakeStep, StepFn } from '../bake-context.js';
import { validateImageReferences } from '../image-reference.js';

/**
 * Checks again, inside the durable run, what the command already checked: the request may have
 * been queued by an older version, and nothing unchecked may ever reach an SSM command.
 */
const run: StepFn = async (ctx) => {
  const invalid = validateImageReferences(ctx.bake.images);
  if (invalid.length > 0) {
    const list = invalid.map((item) => `\`${item.ref}\` ${item.reason}`).join('; ');
    throw new AppError('invalid_image_reference', `Refusing to bake: ${list}.`);
  }
  if (ctx.bake.images.length === 0) {
    throw new AppError('no_images', `No images to bake for ${ctx.bake.deployment}: pass --images or configure them.`);
  }
  return `${ctx.bake.images.length} image reference(s) valid; lock held for ${ctx.bake.deployment}`;
};

export const preflight: BakeStep<'preflight'> = {
  name: 'preflight',
  title: 'Preflight checks',
  run,
};
