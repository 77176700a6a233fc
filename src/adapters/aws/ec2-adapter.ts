import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  DescribeVolumesCommand,
  type EC2Client,
  type Instance,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { Ec2Port } from '../../ports/ec2.js';
import { callAws, callAwsPages, isAwsError } from './aws-errors.js';
import { createEc2ImageLifecycle } from './ec2-image-lifecycle.js';
import { createEc2ImageOperations } from './ec2-images.js';
import { liveInstancesFilter, tagFilters, toInstanceInfo } from './ec2-mapping.js';

const INSTANCE_GONE = ['InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed'];
/** The volume was deleted between the two calls (the instance was terminated meanwhile). */
const VOLUME_GONE = ['InvalidVolume.NotFound'];

/** Real EC2 adapter. Throttling is retried by the client's own retry strategy (see aws-clients.ts). */
export function createEc2Adapter(client: EC2Client): Ec2Port {
  async function describeInstances(input: DescribeInstancesCommandInput, what: string): Promise<Instance[]> {
    return callAwsPages(
      'ec2:DescribeInstances',
      what,
      (NextToken) => client.send(new DescribeInstancesCommand({ ...input, NextToken })),
      (page) => ({ items: page.Reservations?.flatMap((r) => r.Instances ?? []), next: page.NextToken }),
    );
  }

  const images = createEc2ImageOperations(client);
  return {
    async findInstancesByNamePattern(pattern) {
      const filters = [{ Name: 'tag:Name', Values: [pattern] }, liveInstancesFilter];
      const instances = await describeInstances({ Filters: filters }, `find instances named ${pattern}`);
      return instances.map(toInstanceInfo);
    },

    async findInstancesByTags(tags) {
      const filters = [...tagFilters(tags), liveInstancesFilter];
      const what = `find instances tagged ${JSON.stringify(tags)}`;
      return (await describeInstances({ Filters: filters }, what)).map(toInstanceInfo);
    },

    async describeInstance(instanceId) {
      try {
        const instances = await describeInstances({ InstanceIds: [instanceId] }, `describe instance ${instanceId}`);
        const instance = instances.find((i) => i.InstanceId === instanceId);
        return instance ? toInstanceInfo(instance) : undefined;
      } catch (error) {
        if (isAwsError(error, ...INSTANCE_GONE)) return undefined;
        throw error;
      }
    },

    async describeRootVolume(instanceId) {
      let instance: Instance | undefined;
      try {
        const instances = await describeInstances({ InstanceIds: [instanceId] }, `describe instance ${instanceId}`);
        instance = instances.find((i) => i.InstanceId === instanceId);
      } catch (error) {
        if (isAwsError(error, ...INSTANCE_GONE)) return undefined;
        throw error;
      }
      const deviceName = instance?.RootDeviceName;
      if (!instance || instance.State?.Name === 'terminated' || !deviceName) return undefined;
      // The mapping of the root device itself: an instance-store root has none with an EBS volume.
      const volumeId = instance.BlockDeviceMappings?.find((m) => m.DeviceName === deviceName)?.Ebs?.VolumeId;
      if (!volumeId) return undefined;
      try {
        const out = await callAws('ec2:DescribeVolumes', `describe the root volume ${volumeId} of ${instanceId}`, () =>
          client.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] })),
        );
        const size = out.Volumes?.find((v) => v.VolumeId === volumeId)?.Size;
        return size === undefined ? undefined : { deviceName, volumeId, sizeGiB: size };
      } catch (error) {
        if (isAwsError(error, ...VOLUME_GONE)) return undefined;
        throw error;
      }
    },

    async startInstance(instanceId) {
      await callAws('ec2:StartInstances', `start instance ${instanceId}`, () =>
        client.send(new StartInstancesCommand({ InstanceIds: [instanceId] })),
      );
    },

    async stopInstance(instanceId) {
      await callAws('ec2:StopInstances', `stop instance ${instanceId}`, () =>
        client.send(new StopInstancesCommand({ InstanceIds: [instanceId] })),
      );
    },

    async terminateInstances(instanceIds) {
      if (instanceIds.length === 0) return;
      await callAws('ec2:TerminateInstances', `terminate instances ${instanceIds.join(', ')}`, () =>
        client.send(new TerminateInstancesCommand({ InstanceIds: instanceIds })),
      );
    },

    ...images,
    ...createEc2ImageLifecycle(client, images.describeImages),
  };
}
