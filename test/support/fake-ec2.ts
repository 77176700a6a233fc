// A small in-memory Ec2Port for rollout tests: images to classify, executor instances to drain. The bake's
// EC2 behaviour lives in the simulator; the rollout only reads images and lists/terminates executors.
import type { Ec2Port, ImageInfo, InstanceInfo } from '../../src/ports/ec2.js';

export interface FakeEc2 extends Ec2Port {
  images: Map<string, ImageInfo>;
  instances: Map<string, InstanceInfo>;
  terminated: string[][];
  /** `options.ownerId`: another account's image (public/shared); `createdAt`: its CreationDate. */
  addImage(
    id: string,
    name: string,
    tags?: Record<string, string>,
    options?: { ownerId?: string; createdAt?: Date },
  ): void;
  addInstance(
    id: string,
    tags: Record<string, string>,
    imageId: string,
    state: InstanceInfo['state'],
    launchTime?: Date,
  ): void;
}

/** This fake account's id. */
export const SELF = '111122223333';

const unused = (name: string) => async (): Promise<never> => {
  throw new Error(`fake EC2: ${name} is not used by the rollout`);
};

export function createFakeEc2(): FakeEc2 {
  const images = new Map<string, ImageInfo>();
  const instances = new Map<string, InstanceInfo>();
  const terminated: string[][] = [];
  const copy = <T>(v: T): T => structuredClone(v);
  return {
    images,
    instances,
    terminated,
    addImage(id, name, tags = {}, options = {}) {
      images.set(id, {
        id,
        name,
        state: 'available',
        tags,
        snapshotIds: [],
        ownerId: options.ownerId ?? SELF,
        ...(options.createdAt ? { creationDate: options.createdAt } : {}),
      });
    },
    addInstance(id, tags, imageId, state, launchTime) {
      instances.set(id, {
        id,
        name: tags.Name ?? '',
        state,
        imageId,
        tags,
        blockDeviceNames: ['/dev/xvda'],
        ...(launchTime ? { launchTime } : {}),
      });
    },
    async findInstancesByTags(tags) {
      return [...instances.values()]
        .filter((i) => i.state !== 'terminated')
        .filter((i) => Object.entries(tags).every(([k, v]) => k in i.tags && (v === '*' || i.tags[k] === v)))
        .map(copy);
    },
    async describeInstance(id) {
      const instance = instances.get(id);
      return instance && copy(instance);
    },
    async terminateInstances(ids) {
      terminated.push([...ids]);
      for (const id of ids) {
        const instance = instances.get(id);
        if (!instance) throw new Error(`InvalidInstanceID.NotFound: ${id}`);
        instance.state = 'terminated';
      }
    },
    async describeImages(ids) {
      return ids.flatMap((id) => (images.has(id) ? [copy(images.get(id)!)] : []));
    },
    async describeOwnImages(ids) {
      return ids.flatMap((id) => (images.get(id)?.ownerId === SELF ? [copy(images.get(id)!)] : []));
    },
    findInstancesByNamePattern: unused('findInstancesByNamePattern'),
    describeRootVolume: unused('describeRootVolume'),
    startInstance: unused('startInstance'),
    stopInstance: unused('stopInstance'),
    createImage: unused('createImage'),
    findImagesByName: unused('findImagesByName'),
    findImagesByTag: unused('findImagesByTag'),
    deregisterImage: unused('deregisterImage'),
    listImagesByTags: unused('listImagesByTags'),
    listSnapshotsByTags: unused('listSnapshotsByTags'),
    deleteSnapshot: unused('deleteSnapshot'),
    enableDeregistrationProtection: unused('enableDeregistrationProtection'),
    disableDeregistrationProtection: unused('disableDeregistrationProtection'),
    enableImageDeprecation: unused('enableImageDeprecation'),
    disableImageDeprecation: unused('disableImageDeprecation'),
    snapshotProgress: unused('snapshotProgress'),
  };
}
