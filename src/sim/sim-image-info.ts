import type { ImageInfo } from '../ports/ec2.js';
import { SIM_ACCOUNT_ID, type SimImage } from './sim-world.js';

/** An image of the simulated account (seeded ones without an owner are the account's own). */
export const isOwnImage = (image: SimImage) => image.ownerId === undefined || image.ownerId === SIM_ACCOUNT_ID;

/** What DescribeImages says of a simulated image: the EC2 port's ImageInfo. */
export function toImageInfo(image: SimImage): ImageInfo {
  return {
    id: image.id,
    ownerId: image.ownerId ?? SIM_ACCOUNT_ID,
    name: image.name,
    state: image.state,
    creationDate: new Date(image.creationMs),
    tags: { ...image.tags },
    snapshotIds: image.snapshotIds.slice(),
    ...(image.stateReason === undefined ? {} : { stateReason: image.stateReason }),
  };
}
