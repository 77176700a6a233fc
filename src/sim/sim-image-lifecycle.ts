import type { DeregistrationProtection, Ec2ImageLifecycle, LifecycleImageInfo, SnapshotOutcome } from '../ports/ec2.js';
import { DEREGISTRATION_COOLDOWN_MS } from '../ports/ec2.js';
import { SimAwsFault, simAws } from './aws-fault.js';
import { isOwnImage, toImageInfo } from './sim-image-info.js';
import type { SimImage, SimWorld } from './sim-world.js';

type SimImageLifecycle = Ec2ImageLifecycle;

const hasTags = (own: Record<string, string>, wanted: Record<string, string>) =>
  Object.entries(wanted).every(([k, v]) => k in own && (v === '*' || own[k] === v));

/**
 * The lifecycle half of the simulated EC2: what moto lacks too (deregistration protection with its 24-hour
 * cooldown, deprecation, DeleteAssociatedSnapshots keeping a snapshot another image shares), as EC2 documents it.
 */
export function createSimImageLifecycle(world: SimWorld, enter: () => Promise<number>): SimImageLifecycle {
  function protectionOf(image: SimImage, nowMs: number): DeregistrationProtection {
    if (image.protection) return { state: 'on', cooldown: image.protection.cooldown };
    if (image.protectedUntilMs !== undefined && nowMs < image.protectedUntilMs)
      return { state: 'cooling-down', until: new Date(image.protectedUntilMs) };
    return { state: 'off' };
  }

  function toLifecycleInfo(image: SimImage, nowMs: number): LifecycleImageInfo {
    return {
      ...toImageInfo(image),
      volumes: image.snapshotIds.map((snapshotId) => ({
        snapshotId,
        sizeGiB: world.snapshots.get(snapshotId)?.sizeGiB ?? 0,
      })),
      protection: protectionOf(image, nowMs),
      ...(image.deprecationMs === undefined ? {} : { deprecationTime: new Date(image.deprecationMs) }),
    };
  }

  function requireOwnImage(imageId: string): SimImage {
    const image = world.images.get(imageId);
    if (image === undefined || !isOwnImage(image))
      throw new SimAwsFault('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
    return image;
  }

  function deleteSnapshot(snapshotId: string): SnapshotOutcome {
    if (!world.snapshots.has(snapshotId)) return 'absent';
    const shared = [...world.images.values()].some((i) => i.snapshotIds.includes(snapshotId));
    if (shared) return 'in-use';
    world.snapshots.delete(snapshotId);
    return 'deleted';
  }

  return {
    async listImagesByTags(tags) {
      const nowMs = await enter();
      return [...world.images.values()]
        .filter((i) => isOwnImage(i) && hasTags(i.tags, tags))
        .map((i) => toLifecycleInfo(i, nowMs));
    },

    async listSnapshotsByTags(tags) {
      await enter();
      return [...world.snapshots.values()]
        .filter((s) => hasTags(s.tags, tags))
        .map((s) => ({
          id: s.id,
          state: s.state,
          sizeGiB: s.sizeGiB,
          startTime: new Date(s.startMs),
          tags: { ...s.tags },
          createdForImageId: s.imageId,
        }));
    },

    async deregisterImage(imageId) {
      const nowMs = await enter();
      return simAws('ec2:DeregisterImage', `deregister image ${imageId}`, () => {
        const image = world.images.get(imageId);
        if (image === undefined) {
          // Gone already: the snapshots CreateImage made for it (found by their description on EC2) still go.
          const left = [...world.snapshots.values()].filter((s) => s.imageId === imageId);
          return {
            image: 'absent' as const,
            snapshots: left.map((s) => ({ id: s.id, outcome: deleteSnapshot(s.id) })),
          };
        }
        if (protectionOf(image, nowMs).state !== 'off')
          throw new SimAwsFault('InvalidParameterValue', `The image ${imageId} has deregistration protection enabled.`);
        world.images.delete(imageId);
        const snapshots = image.snapshotIds.map((id) => ({ id, outcome: deleteSnapshot(id) }));
        return { image: 'deregistered' as const, snapshots };
      });
    },

    async deleteSnapshot(snapshotId) {
      await enter();
      return deleteSnapshot(snapshotId);
    },

    async enableDeregistrationProtection(imageId, { withCooldown }) {
      await enter();
      await simAws('ec2:EnableImageDeregistrationProtection', `protect image ${imageId} from deregistration`, () => {
        const image = requireOwnImage(imageId);
        image.protection = { cooldown: withCooldown };
        delete image.protectedUntilMs;
      });
    },

    async disableDeregistrationProtection(imageId) {
      const nowMs = await enter();
      await simAws(
        'ec2:DisableImageDeregistrationProtection',
        `lift the deregistration protection of ${imageId}`,
        () => {
          const image = requireOwnImage(imageId);
          if (image.protection?.cooldown) image.protectedUntilMs = nowMs + DEREGISTRATION_COOLDOWN_MS;
          delete image.protection;
        },
      );
    },

    async enableImageDeprecation(imageId, at) {
      const nowMs = await enter();
      await simAws('ec2:EnableImageDeprecation', `deprecate image ${imageId}`, () => {
        const image = requireOwnImage(imageId);
        if (at.getTime() < nowMs)
          throw new SimAwsFault('InvalidParameterValue', 'The deprecation time cannot be in the past.');
        image.deprecationMs = at.getTime();
      });
    },

    async disableImageDeprecation(imageId) {
      await enter();
      await simAws('ec2:DisableImageDeprecation', `cancel the deprecation of image ${imageId}`, () => {
        delete requireOwnImage(imageId).deprecationMs;
      });
    },
  };
}
