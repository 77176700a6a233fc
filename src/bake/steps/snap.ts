import { AppError, userMessage } from '../../errors.js';
import type { ImageInfo } from '../../ports/ec2.js';
import { bakeAmiName, nodePoolsOf } from '../ami-name.js';
import type { BakeStep, StepContext, StepFn } from '../bake-context.js';
import { bakeNoun, stepProgress } from '../bake-record.js';
import { imageReferences } from '../image-in-use.js';
import { BAKE_ID_TAG, bakeImageTags } from '../image-tags.js';

/**
 * CreateImage at most once. The name is saved before the call; after a crash the image is found
 * again by name or by our bake-id tag instead of being created a second time.
 */
const run: StepFn = async (ctx) => {
  const { ec2, clock } = ctx.deps;
  if (ctx.bake.facts.imageId) return `already created: ${ctx.bake.facts.imageId}`;
  let name = ctx.bake.facts.imageName;
  if (!name) {
    // Today's rule; an EKS deployment's name carries its node pools (ami-name.ts).
    name = bakeAmiName(ctx.deployment, clock.now(), ctx.deps.config.timeZone);
    await ctx.save({ facts: { imageName: name } });
  }
  const existing = await findOurImage(ctx, name);
  if (existing) {
    await ctx.save({ facts: { imageId: existing.id } });
    return `re-attached to ${existing.id} (${name}), created before a restart`;
  }
  let imageId: string;
  try {
    imageId = await ec2.createImage({
      instanceId: ctx.bake.facts.instanceId!,
      name,
      description: `Domino ${bakeNoun(ctx.bake).ami} baked by ami-bot (${ctx.bake._id}) for ${ctx.bake.deployment}`,
      noReboot: ctx.bake.noReboot,
      deviceNames: ctx.bake.facts.deviceNames ?? [],
      tags: bakeImageTags(ctx.bake, nodePoolsOf(ctx.deployment)),
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
  await ctx.save({ facts: { imageId: imageId } });
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

/**
 * Undo: deregister an image that never became a recorded result. Checked on every run of the cleanup (also
 * after a crash): a reference may have appeared meanwhile, and an image something uses is kept.
 */
async function deregisterUnrecordedImage(ctx: StepContext): Promise<string[]> {
  const { facts } = ctx.bake;
  const imageKept = stepProgress(ctx.bake, 'record').state === 'done';
  if (!facts.imageId || imageKept) return [];
  if (facts.imageDeregistered) return [`The unfinished AMI ${facts.imageId} was deregistered.`];
  const inUse = await imageReferences(ctx.deps, facts.imageId, ctx.bake.createdAt);
  if (inUse.length > 0) {
    ctx.log.warn({ imageId: facts.imageId, references: inUse }, 'unfinished AMI kept: something references it');
    return [
      `Kept the unfinished AMI ${facts.imageId}: ${inUse.join('; ')}. Deregister it in the EC2 console once nothing uses it.`,
    ];
  }
  try {
    await ctx.deps.ec2.deregisterImage(facts.imageId);
    await ctx.save({ facts: { imageDeregistered: true } });
    return [`Deregistered the unfinished AMI ${facts.imageId} and its snapshots.`];
  } catch (error) {
    return [`Could not deregister ${facts.imageId} (${userMessage(error)}): deregister it in the EC2 console.`];
  }
}

export const snap: BakeStep<'snap'> = {
  name: 'snap',
  title: 'Create the AMI',
  run,
  undo: deregisterUnrecordedImage,
};
