import { truncate } from '../shared/format.js';
import type { BakeRecord } from './bake-record.js';

export const CREATED_BY_TAG = 'created-by';
export const CREATED_BY_VALUE = 'ami-bot';
export const BAKE_ID_TAG = 'ami-bot:bake-id';
export const DEPLOYMENT_TAG = 'ami-bot:deployment';
/** The node pools an EKS deployment's AMI is for (comma-separated), absent for hardware tiers. */
export const NODE_POOLS_TAG = 'ami-bot:node-pools';

/** EC2 tag values are at most 256 chars. */
const MAX_TAG_VALUE = 256;

/**
 * Tags on the image and its snapshots: they say where an AMI came from (and make it "standard"), and for an EKS
 * deployment which node pools it is for.
 */
export function bakeImageTags(bake: BakeRecord, nodePools: readonly string[] = []): Record<string, string> {
  return {
    Name: bake.facts.imageName ?? '',
    [CREATED_BY_TAG]: CREATED_BY_VALUE,
    [BAKE_ID_TAG]: bake._id,
    [DEPLOYMENT_TAG]: bake.deployment,
    'ami-bot:requester': bake.requester,
    'ami-bot:images': truncate(bake.images.join(','), MAX_TAG_VALUE, '…'),
    'ami-bot:source-instance': bake.facts.instanceId ?? '',
    ...(nodePools.length > 0 ? { [NODE_POOLS_TAG]: truncate(nodePools.join(','), MAX_TAG_VALUE, '…') } : {}),
  };
}

/**
 * An image this pipeline made for `deployment`, judged by its tags: `created-by=ami-bot` alone is not enough, the
 * deployment tag must name this deployment (another deployment's bake is someone else's AMI).
 */
export function isPipelineImageByTags(tags: Record<string, string>, deployment: string): boolean {
  return tags[CREATED_BY_TAG] === CREATED_BY_VALUE && Boolean(tags[BAKE_ID_TAG]) && tags[DEPLOYMENT_TAG] === deployment;
}

/** The deployment an image's tags say it was baked for, if any. */
export function imageDeployment(tags: Record<string, string>): string | undefined {
  return tags[DEPLOYMENT_TAG];
}
