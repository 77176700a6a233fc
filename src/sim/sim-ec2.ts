import { AppError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { CreateImageInput, Ec2Port, InstanceInfo } from '../ports/ec2.js';
import { globToRegExp } from '../shared/glob.js';
import { enterAws, SimAwsFault, simAws } from './aws-fault.js';
import { cachedBytes } from './disk-cache.js';
import type { Faults } from './faults.js';
import { copyFilesystem } from './sim-fs.js';
import { isOwnImage, toImageInfo } from './sim-image-info.js';
import { createSimImageLifecycle } from './sim-image-lifecycle.js';
import {
  incorrectState,
  rebootForImage,
  requireInstance,
  startInstanceNow,
  stopInstanceNow,
  terminateInstanceNow,
  toInstanceInfo,
} from './sim-instances.js';
import { addImageSnapshots, rootVolumeGiBOf, type SimImage, type SimWorld } from './sim-world.js';

const GiB = 1024 ** 3;

/** EC2 as the bot sees it through Ec2Port, with AWS's states, errors and (virtual) durations. */
export function createSimEc2(world: SimWorld, clock: Clock, faults: Faults): Ec2Port {
  const enter = () => enterAws(world, clock, faults);
  const live = (): InstanceInfo[] =>
    [...world.instances.values()].filter((i) => i.state !== 'terminated').map(toInstanceInfo);
  /** Owners=self lookups (by name, by tag) never see another account's images, as on EC2. */
  const ownImages = () => [...world.images.values()].filter(isOwnImage);

  return {
    ...createSimImageLifecycle(world, enter),
    async findInstancesByNamePattern(pattern) {
      await enter();
      const re = globToRegExp(pattern);
      return live().filter((i) => re.test(i.name));
    },
    async findInstancesByTags(tags) {
      await enter();
      return live().filter((i) =>
        Object.entries(tags).every(([k, v]) => k in i.tags && (v === '*' || i.tags[k] === v)),
      );
    },
    async describeInstance(instanceId) {
      await enter();
      const instance = world.instances.get(instanceId);
      return instance && toInstanceInfo(instance);
    },
    async describeRootVolume(instanceId) {
      await enter();
      const instance = world.instances.get(instanceId);
      const deviceName = instance?.blockDeviceNames[0];
      if (!instance || instance.state === 'terminated' || !deviceName) return undefined;
      return { deviceName, volumeId: `vol-${instance.id.slice(2)}`, sizeGiB: rootVolumeGiBOf(instance) };
    },
    async startInstance(instanceId) {
      const nowMs = await enter();
      await simAws('ec2:StartInstances', `start instance ${instanceId}`, () =>
        startInstanceNow(world, requireInstance(world, instanceId), nowMs),
      );
    },
    async stopInstance(instanceId) {
      const nowMs = await enter();
      await simAws('ec2:StopInstances', `stop instance ${instanceId}`, () =>
        stopInstanceNow(world, requireInstance(world, instanceId), nowMs),
      );
    },
    async terminateInstances(instanceIds) {
      if (instanceIds.length === 0) return;
      const nowMs = await enter();
      await simAws('ec2:TerminateInstances', `terminate instances ${instanceIds.join(', ')}`, () => {
        // TerminateInstances is all-or-nothing on unknown ids, so check every id before changing any.
        const instances = instanceIds.map((id) => requireInstance(world, id));
        for (const instance of instances) terminateInstanceNow(world, instance, nowMs);
      });
    },
    async createImage(input) {
      const nowMs = await enter();
      return simAws('ec2:CreateImage', `create image ${input.name}`, () => createImageNow(world, faults, input, nowMs));
    },
    async describeImages(imageIds) {
      await enter();
      return imageIds.flatMap((id) => {
        const image = world.images.get(id);
        return image ? [toImageInfo(image)] : [];
      });
    },
    async describeOwnImages(imageIds) {
      await enter();
      return imageIds.flatMap((id) => {
        const image = world.images.get(id);
        return image && isOwnImage(image) ? [toImageInfo(image)] : [];
      });
    },
    async findImagesByName(name) {
      await enter();
      return ownImages()
        .filter((i) => i.name === name)
        .map(toImageInfo);
    },
    async findImagesByTag(key, value) {
      await enter();
      return ownImages()
        .filter((i) => i.tags[key] === value)
        .map(toImageInfo);
    },
    async snapshotProgress(snapshotIds) {
      const nowMs = await enter();
      const known = snapshotIds.flatMap((id) => world.snapshots.get(id) ?? []);
      // DescribeSnapshots fails as a whole on one unknown id (InvalidSnapshot.NotFound): progress is then unknown.
      if (known.length === 0 || known.length < snapshotIds.length) return undefined;
      const each = known.map((s) =>
        s.state === 'completed'
          ? 100
          : Math.min(99, Math.floor((100 * (nowMs - s.startMs)) / (s.completeMs - s.startMs))),
      );
      return Math.round(each.reduce((a, b) => a + b, 0) / each.length);
    },
  };
}

function createImageNow(world: SimWorld, faults: Faults, input: CreateImageInput, nowMs: number): string {
  if (!/^[A-Za-z0-9()[\] ./\-'@_]{3,128}$/.test(input.name)) {
    throw new SimAwsFault(
      'InvalidAMIName.Malformed',
      "AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'",
    );
  }
  if ([...world.images.values()].some((i) => i.name === input.name)) {
    // Exactly what the real adapter turns InvalidAMIName.Duplicate into.
    throw new AppError(
      'ami_name_taken',
      `An AMI named ${input.name} already exists in this account and region; the bake looks it up instead of creating a second one.`,
      { details: { name: input.name } },
    );
  }
  const instance = requireInstance(world, input.instanceId);
  if (instance.state !== 'running' && instance.state !== 'stopped') throw incorrectState(instance, 'imaged');
  const unknownDevice = input.deviceNames.find((d) => !instance.blockDeviceNames.includes(d));
  if (unknownDevice !== undefined) {
    throw new SimAwsFault(
      'InvalidBlockDeviceMapping',
      `The device '${unknownDevice}' is not mapped on instance '${instance.id}'.`,
    );
  }
  const snapshotStartMs = input.noReboot ? nowMs : rebootForImage(world, instance, nowMs);
  const dockerImages = new Map(instance.dockerImages);
  const containerdImages = new Map(instance.containerdImages ?? []);
  const doneMs =
    snapshotStartMs +
    world.draw(world.timings.snapshotBase) +
    Math.round((world.timings.snapshotPerGiB * (cachedBytes(dockerImages) + cachedBytes(containerdImages))) / GiB);
  const willFail = faults.isOn('image-failed');
  const image: SimImage = {
    id: world.ids.image(),
    name: input.name,
    description: input.description.slice(0, 255),
    state: 'pending',
    creationMs: nowMs,
    tags: { ...input.tags },
    snapshotIds: [],
    blockDeviceNames: instance.blockDeviceNames.slice(),
    dockerImages,
    ...(containerdImages.size > 0 ? { containerdImages } : {}),
    fs: copyFilesystem(instance.fs),
    sourceInstanceId: instance.id,
  };
  addImageSnapshots(world, image, {
    state: 'pending',
    startMs: nowMs,
    completeMs: doneMs,
    tags: () => ({ ...input.tags }),
  });
  world.images.set(image.id, image);
  world.schedule(doneMs, () => {
    if (world.images.get(image.id) !== image) return; // deregistered meanwhile
    image.state = willFail ? 'failed' : 'available';
    if (willFail) image.stateReason = `Client.InternalError: Snapshot ${image.snapshotIds[0]} failed: internal error`;
    for (const id of image.snapshotIds) {
      const snapshot = world.snapshots.get(id);
      if (snapshot) snapshot.state = willFail ? 'error' : 'completed';
    }
  });
  return image.id;
}

export { globToRegExp };
