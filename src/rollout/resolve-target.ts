import type { BakeRecord } from '../bake/bake-record.js';
import { isBakeId, isFromOwnMessage } from '../bake/bake-record.js';
import { BAKE_ID_TAG } from '../bake/image-tags.js';
import { type DeploymentConfig, findDeployment } from '../config.js';
import { AppError } from '../errors.js';
import type { ImageInfo } from '../ports/ec2.js';
import { type ButtonOrigin, notItsMessage } from '../shared/button-origin.js';
import { code, text } from '../shared/text.js';
import { isAmiId } from './classify-tiers.js';
import type { RolloutDeps } from './rollout-deps.js';
import { requireDeployment } from './rollout-deps.js';
import { provenanceRefusal } from './rollout-gate.js';

export interface AmiTarget {
  deployment: DeploymentConfig;
  amiId: string;
  amiName: string;
  image: ImageInfo;
  /** The succeeded bake that made the AMI (the gate found it through the image's bake-id tag). */
  bake?: BakeRecord;
  /** Where follow-ups go: the bake's thread, else the channel the command came from. */
  channel: string;
  threadTs?: string;
}

/**
 * `<bake-id|ami-id>` → a deployment and an available AMI that passes the gate's provenance checks (owned by this
 * account, from a succeeded bake of that deployment: rollout-gate.ts), or an AppError saying what is wrong.
 */
export async function resolveAmiTarget(
  deps: Pick<RolloutDeps, 'config' | 'store' | 'ec2'>,
  input: { target: string; channelId: string; origin?: ButtonOrigin },
): Promise<AmiTarget> {
  const { target } = input;
  let bake: BakeRecord | undefined;
  let deployment: DeploymentConfig | undefined;
  let amiId: string;
  if (isBakeId(target)) {
    bake = await deps.store.bakes.get(target);
    if (!bake) throw new AppError('unknown_bake', `No bake ${target}. \`/ami status\` lists recent bakes.`);
    if (bake.status !== 'succeeded' || !bake.facts.imageId) {
      throw new AppError(
        'bake_has_no_ami',
        `Bake ${target} has no finished AMI (it is ${bake.status}); nothing was done.`,
      );
    }
    if (input.origin && !isFromOwnMessage(bake, input.origin))
      throw new AppError('not_its_message', notItsMessage(`bake ${bake._id}`));
    amiId = bake.facts.imageId;
    deployment = requireDeployment(deps.config, bake.deployment);
  } else if (isAmiId(target)) {
    amiId = target;
    deployment = findDeployment(deps.config, undefined);
    if (!deployment) {
      throw new AppError(
        'ambiguous_deployment',
        'Several deployments are configured: name the AMI by its bake id (`/ami status` lists them).',
      );
    }
  } else {
    throw new AppError(
      'invalid_target',
      text`${code(target.slice(0, 40))} is neither a bake id (bake-20261128-k3m9) nor an AMI id (ami-0123456789abcdef0).`,
    );
  }
  const [image] = await deps.ec2.describeImages([amiId]);
  if (!image)
    throw new AppError('unknown_ami', `AMI ${amiId} does not exist in this account/region; nothing was done.`);
  if (image.state !== 'available') {
    throw new AppError('ami_not_available', `AMI ${amiId} is ${image.state}, not available; nothing was done.`);
  }
  const [ownImage] = await deps.ec2.describeOwnImages([amiId]);
  const taggedBakeId = ownImage?.tags[BAKE_ID_TAG];
  const namedBakeId = bake?._id;
  if (taggedBakeId && isBakeId(taggedBakeId) && taggedBakeId !== bake?._id) {
    bake = await deps.store.bakes.get(taggedBakeId);
  }
  const refusal = provenanceRefusal({
    deployment: deployment.name,
    amiId,
    image,
    ...(ownImage ? { ownImage } : {}),
    ...(bake ? { bake } : {}),
    ...(namedBakeId ? { namedBakeId } : {}),
  });
  if (refusal) throw new AppError('ami_not_from_bake', refusal);
  const inBakeThread = bake?.rootTs !== undefined;
  return {
    deployment,
    amiId,
    amiName: image.name,
    image,
    ...(bake ? { bake } : {}),
    channel: inBakeThread && bake ? bake.channel : input.channelId,
    ...(inBakeThread && bake?.rootTs ? { threadTs: bake.rootTs } : {}),
  };
}
