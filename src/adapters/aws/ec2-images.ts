import {
  CreateImageCommand,
  DescribeImagesCommand,
  type DescribeImagesCommandInput,
  DescribeSnapshotsCommand,
  type EC2Client,
  type Filter,
  type Image,
} from '@aws-sdk/client-ec2';
import { AppError } from '../../errors.js';
import type { CreateImageInput, Ec2Port, ImageInfo } from '../../ports/ec2.js';
import { callAwsPages, fromAwsError, isAwsError } from './aws-errors.js';
import { averageSnapshotProgress, recordToTags, toImageInfo } from './ec2-mapping.js';

export const IMAGE_GONE = ['InvalidAMIID.NotFound', 'InvalidAMIID.Malformed', 'InvalidAMIID.Unavailable'];
export const SNAPSHOT_GONE = ['InvalidSnapshot.NotFound', 'InvalidSnapshotID.Malformed'];

export type Ec2ImageOperations = Pick<
  Ec2Port,
  'createImage' | 'describeImages' | 'describeOwnImages' | 'findImagesByName' | 'findImagesByTag' | 'snapshotProgress'
>;

/** Every page of a DescribeImages call. */
export async function describeImagePages(
  client: EC2Client,
  input: DescribeImagesCommandInput,
  what: string,
): Promise<Image[]> {
  return callAwsPages(
    'ec2:DescribeImages',
    what,
    (NextToken) => client.send(new DescribeImagesCommand({ ...input, NextToken })),
    (page) => ({ items: page.Images, next: page.NextToken }),
  );
}

/** The AMI half of the EC2 adapter: create, look up and progress (retiring is in ec2-image-lifecycle.ts). */
export function createEc2ImageOperations(client: EC2Client): Ec2ImageOperations {
  async function findOwnImages(filters: Filter[], what: string): Promise<ImageInfo[]> {
    const images = await describeImagePages(client, { Owners: ['self'], Filters: filters }, what);
    return images.map(toImageInfo);
  }

  /** DescribeImages by id; unknown ids are left out (the lifecycle half re-reads an image through it). */
  async function describeImages(imageIds: string[]): Promise<ImageInfo[]> {
    if (imageIds.length === 0) return [];
    try {
      const images = await describeImagePages(client, { ImageIds: imageIds }, `describe images ${imageIds.join(', ')}`);
      return images.map(toImageInfo);
    } catch (error) {
      if (!isAwsError(error, ...IMAGE_GONE)) throw error;
      // One unknown id fails the whole call: ask one by one so the known images are still returned.
      if (imageIds.length === 1) return [];
      const each = await Promise.all(imageIds.map((id) => describeImages([id])));
      return each.flat();
    }
  }

  return {
    async createImage(input: CreateImageInput) {
      const tags = recordToTags(input.tags);
      try {
        const out = await client.send(
          new CreateImageCommand({
            InstanceId: input.instanceId,
            Name: input.name,
            // EC2 rejects descriptions over 255 characters; the description is informational only.
            Description: input.description.slice(0, 255),
            NoReboot: input.noReboot,
            // Only DeleteOnTermination may be changed for an instance's existing volumes.
            BlockDeviceMappings: input.deviceNames.map((DeviceName) => ({
              DeviceName,
              Ebs: { DeleteOnTermination: true },
            })),
            TagSpecifications:
              tags.length === 0
                ? undefined
                : [
                    { ResourceType: 'image', Tags: tags },
                    { ResourceType: 'snapshot', Tags: tags },
                  ],
          }),
        );
        if (!out.ImageId)
          throw new AppError('aws_no_image_id', `AWS accepted CreateImage for ${input.name} but returned no image id.`);
        return out.ImageId;
      } catch (error) {
        if (isAwsError(error, 'InvalidAMIName.Duplicate')) {
          throw new AppError(
            'ami_name_taken',
            `An AMI named ${input.name} already exists in this account and region; the bake looks it up instead of creating a second one.`,
            { cause: error, details: { name: input.name } },
          );
        }
        throw fromAwsError(error, { api: 'ec2:CreateImage', what: `create image ${input.name}` });
      }
    },

    describeImages,

    async describeOwnImages(imageIds) {
      if (imageIds.length === 0) return [];
      // Owners=self with an image-id filter (not ImageIds): EC2 then leaves out public and shared AMIs, and an
      // unknown id is simply absent instead of failing the call.
      return findOwnImages([{ Name: 'image-id', Values: imageIds }], `describe own images ${imageIds.join(', ')}`);
    },

    async findImagesByName(name) {
      // The `name` filter is a glob; AMI names cannot contain `*` or `?`, and we still compare exactly.
      const images = await findOwnImages([{ Name: 'name', Values: [name] }], `find image named ${name}`);
      return images.filter((image) => image.name === name);
    },

    async findImagesByTag(key, value) {
      return findOwnImages([{ Name: `tag:${key}`, Values: [value] }], `find images tagged ${key}=${value}`);
    },

    async snapshotProgress(snapshotIds) {
      if (snapshotIds.length === 0) return undefined;
      try {
        const out = await client.send(new DescribeSnapshotsCommand({ SnapshotIds: snapshotIds }));
        return averageSnapshotProgress(out.Snapshots ?? []);
      } catch (error) {
        // Progress is informational: a vanished snapshot just means "unknown".
        if (isAwsError(error, ...SNAPSHOT_GONE)) return undefined;
        throw fromAwsError(error, { api: 'ec2:DescribeSnapshots', what: 'read snapshot progress' });
      }
    },
  };
}
