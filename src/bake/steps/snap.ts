import { AppError } from '../../errors.js';
import type { ImageInfo } from '../../ports.js';
import { amiName } from '../ami-name.js';
import type { StepContext, StepFn } from '../bake-context.js';
import { BAKE_ID_TAG, bakeImageTags } from '../image-tags.js';

/**
 * CreateImage at most once. The name is saved before the call; after a crash the image is found
 * again by name or by our bake-id tag instead of being created a second time.
 */
export const snap: StepFn = async (ctx) => {
  const { ec2, clock } = ctx.deps;
  if (ctx.bake.facts.imageId) return `already created: ${ctx.bake.facts.imageId}`;
  let name = ctx.bake.facts.imageName;
  if (!name) {
    name = amiName(ctx.bake.deployment, clock.now(), ctx.deps.config.timeZone);
    await ctx.save({ 'facts.imageName': name });
  }
  const existing = await findOurImage(ctx, name);
  if (existing) {
    await ctx.save({ 'facts.imageId': existing.id });
    return `re-attached to ${existing.id} (${name}), created before a restart`;
  }
  let imageId: string;
  try {
    imageId = await ec2.createImage({
      instanceId: ctx.bake.facts.instanceId!,
      name,
      description: `Domino executor AMI baked by ami-bot (${ctx.bake._id}) for ${ctx.bake.deployment}`,
      noReboot: ctx.bake.noReboot,
      deviceNames: ctx.bake.facts.deviceNames ?? [],
      tags: bakeImageTags(ctx.bake),
    });
  } catch (error) {
    if ((error as AppError).code !== 'ami_name_taken') throw error;
    const raced = await findOurImage(ctx, name);
    if (!raced) {
      throw new AppError(
        'ami_name_taken',
        `An AMI named ${name} already exists and was not made by this bake. Wait a minute and bake again, or deregister it.`,
      );
    }
    imageId = raced.id;
  }
  await ctx.save({ 'facts.imageId': imageId });
  const reboot = ctx.bake.noReboot ? 'without reboot (file-system integrity not guaranteed)' : 'with reboot';
  return `CreateImage ${imageId} (${name}) ${reboot}`;
};

async function findOurImage(ctx: StepContext, name: string): Promise<ImageInfo | undefined> {
  const byName = await ctx.deps.ec2.findImagesByName(name);
  const mine = byName.find((image) => image.tags[BAKE_ID_TAG] === ctx.bake._id);
  if (mine) return mine;
  const byTag = await ctx.deps.ec2.findImagesByTag(BAKE_ID_TAG, ctx.bake._id);
  return byTag.find((image) => image.state !== 'deregistered');
}
