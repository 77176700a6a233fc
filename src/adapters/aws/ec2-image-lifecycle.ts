import {
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeSnapshotsCommand,
  type DescribeSnapshotsCommandInput,
  DisableImageDeprecationCommand,
  DisableImageDeregistrationProtectionCommand,
  type EC2Client,
  EnableImageDeprecationCommand,
  EnableImageDeregistrationProtectionCommand,
  type Snapshot,
  type SnapshotReturnCodes,
} from '@aws-sdk/client-ec2';
import type { Ec2ImageLifecycle, ImageInfo, SnapshotOutcome } from '../../ports/ec2.js';
import { callAws, callAwsPages, fromAwsError, isAwsError } from './aws-errors.js';
import { describeImagePages, IMAGE_GONE, SNAPSHOT_GONE } from './ec2-images.js';
import { tagFilters, toLifecycleImageInfo, toSnapshotInfo } from './ec2-mapping.js';

/** Another image still uses the snapshot: EC2 refuses to delete it (and DeleteAssociatedSnapshots skips it). */
const SNAPSHOT_IN_USE = ['InvalidSnapshot.InUse'];

/**
 * The lifecycle half of the EC2 adapter: the inventory (tagged images and snapshots), retiring an image with its
 * snapshots, deregistration protection and deprecation.
 */
export function createEc2ImageLifecycle(
  client: EC2Client,
  describeImages: (imageIds: string[]) => Promise<ImageInfo[]>,
): Ec2ImageLifecycle {
  async function describeSnapshotPages(input: DescribeSnapshotsCommandInput, what: string): Promise<Snapshot[]> {
    return callAwsPages(
      'ec2:DescribeSnapshots',
      what,
      (NextToken) => client.send(new DescribeSnapshotsCommand({ ...input, NextToken })),
      (page) => ({ items: page.Snapshots, next: page.NextToken }),
    );
  }

  /** Snapshots CreateImage made for an image, found by the description AWS gives them. */
  async function snapshotIdsMadeFor(imageId: string): Promise<string[]> {
    const filter = {
      Name: 'description',
      Values: [`Created by CreateImage(*) for ${imageId}`, `Created by CreateImage(*) for ${imageId} *`],
    };
    const snapshots = await describeSnapshotPages(
      { OwnerIds: ['self'], Filters: [filter] },
      `look up snapshots of ${imageId}`,
    );
    return snapshots.flatMap((s) => (s.SnapshotId ? [s.SnapshotId] : []));
  }

  async function deleteSnapshot(snapshotId: string): Promise<SnapshotOutcome> {
    try {
      await client.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
      return 'deleted';
    } catch (error) {
      if (isAwsError(error, ...SNAPSHOT_GONE)) return 'absent';
      if (isAwsError(error, ...SNAPSHOT_IN_USE)) return 'in-use';
      throw fromAwsError(error, { api: 'ec2:DeleteSnapshot', what: `delete snapshot ${snapshotId}` });
    }
  }

  /** DeregisterImage asking EC2 to delete the snapshots too; its per-snapshot return codes, or undefined if gone. */
  async function deregister(imageId: string): Promise<Map<string, SnapshotReturnCodes | undefined> | undefined> {
    try {
      const out = await client.send(new DeregisterImageCommand({ ImageId: imageId, DeleteAssociatedSnapshots: true }));
      return new Map((out.DeleteSnapshotResults ?? []).map((r) => [r.SnapshotId ?? '', r.ReturnCode]));
    } catch (error) {
      if (isAwsError(error, ...IMAGE_GONE)) return undefined;
      throw fromAwsError(error, { api: 'ec2:DeregisterImage', what: `deregister image ${imageId}` });
    }
  }

  return {
    async listImagesByTags(tags) {
      const images = await describeImagePages(
        client,
        { Owners: ['self'], Filters: tagFilters(tags) },
        `list images tagged ${JSON.stringify(tags)}`,
      );
      return images.map(toLifecycleImageInfo);
    },

    async listSnapshotsByTags(tags) {
      const snapshots = await describeSnapshotPages(
        { OwnerIds: ['self'], Filters: tagFilters(tags) },
        `list snapshots tagged ${JSON.stringify(tags)}`,
      );
      return snapshots.map(toSnapshotInfo);
    },

    async deregisterImage(imageId) {
      const [image] = await describeImages([imageId]);
      // Image already gone: a crash may have come between deregistering and deleting snapshots.
      const snapshotIds = image ? image.snapshotIds : await snapshotIdsMadeFor(imageId);
      const codes = image && image.state !== 'deregistered' ? await deregister(imageId) : undefined;
      const snapshots: Array<{ id: string; outcome: SnapshotOutcome }> = [];
      for (const id of snapshotIds) {
        const code = codes?.get(id);
        // `success`: EC2 deleted it with the image; `skipped`: another image uses it. Any other answer, or none
        // (an endpoint that ignores DeleteAssociatedSnapshots), is settled with DeleteSnapshot now the image is gone.
        const outcome = code === 'success' ? 'deleted' : code === 'skipped' ? 'in-use' : await deleteSnapshot(id);
        snapshots.push({ id, outcome });
      }
      return { image: codes ? 'deregistered' : 'absent', snapshots };
    },

    deleteSnapshot,

    async enableDeregistrationProtection(imageId, { withCooldown }) {
      await callAws('ec2:EnableImageDeregistrationProtection', `protect image ${imageId} from deregistration`, () =>
        client.send(new EnableImageDeregistrationProtectionCommand({ ImageId: imageId, WithCooldown: withCooldown })),
      );
    },

    async disableDeregistrationProtection(imageId) {
      await callAws(
        'ec2:DisableImageDeregistrationProtection',
        `lift the deregistration protection of ${imageId}`,
        () => client.send(new DisableImageDeregistrationProtectionCommand({ ImageId: imageId })),
      );
    },

    async enableImageDeprecation(imageId, at) {
      await callAws('ec2:EnableImageDeprecation', `deprecate image ${imageId}`, () =>
        client.send(new EnableImageDeprecationCommand({ ImageId: imageId, DeprecateAt: at })),
      );
    },

    async disableImageDeprecation(imageId) {
      await callAws('ec2:DisableImageDeprecation', `cancel the deprecation of image ${imageId}`, () =>
        client.send(new DisableImageDeprecationCommand({ ImageId: imageId })),
      );
    },
  };
}
