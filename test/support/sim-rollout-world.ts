// Changes to the simulated world that rollout tests share: a pipeline AMI as a bake would leave it, and a record
// of every write to a tier's executorImage.
import { copyFilesystem } from '../../src/sim/sim-fs.js';
import type { SimWorld } from '../../src/sim/sim-world.js';

/** A pipeline AMI as a bake would leave it: the seed's current AMI's disk, a newer name, available. */
export function addPipelineAmi(world: SimWorld, stamp = '20260901-0900'): string {
  const current = world.images.get(world.tiers.find((t) => t.doc._id === 'small-k8s')!.doc.executorImage)!;
  const id = world.ids.image();
  const name = `domino-${world.deployment}-executor-${stamp}`;
  world.images.set(id, {
    ...current,
    id,
    name,
    description: name,
    creationMs: current.creationMs + 86_400_000,
    tags: { ...current.tags, 'bake-id': `bk-${stamp}` },
    snapshotIds: [],
    dockerImages: new Map(current.dockerImages),
    fs: copyFilesystem(current.fs),
  });
  return id;
}

/** Turns each tier document's executorImage into an accessor that records every write, by any replica. */
export function recordTierWrites(world: SimWorld): Array<{ tierId: string; to: string }> {
  const writes: Array<{ tierId: string; to: string }> = [];
  for (const tier of world.tiers) {
    let image = tier.doc.executorImage;
    Object.defineProperty(tier.doc, 'executorImage', {
      enumerable: true,
      configurable: true,
      get: () => image,
      set: (to: string) => {
        writes.push({ tierId: tier.doc._id, to });
        image = to;
      },
    });
  }
  return writes;
}

/** A stopped instance with these tags on this AMI (its disk copied from the AMI), as Domino or a human left it. */
export function addStoppedInstance(world: SimWorld, tags: Record<string, string>, imageId: string): string {
  const image = world.images.get(imageId)!;
  const id = world.ids.instance();
  world.instances.set(id, {
    id,
    tags,
    state: 'stopped',
    imageId,
    blockDeviceNames: image.blockDeviceNames.slice(),
    launchTimeMs: image.creationMs + 3_600_000,
    dockerImages: new Map(image.dockerImages),
    fs: copyFilesystem(image.fs),
    agentOnline: false,
    generation: 0,
    activeJobs: 0,
  });
  return id;
}

/** An AMI ami-bot baked for `deployment` (its tags), available. */
export function addBakedAmi(world: SimWorld, deployment: string, name: string, bakeId: string): string {
  const id = addPipelineAmi(world, name);
  const image = world.images.get(id)!;
  image.name = name;
  image.tags = { 'created-by': 'ami-bot', 'ami-bot:bake-id': bakeId, 'ami-bot:deployment': deployment };
  return id;
}

/** "YYYY-MM-DD HH:MM" in UTC, as `--at` takes it (the harness's time zone is UTC). */
export function wallClock(at: Date): string {
  return at.toISOString().slice(0, 16).replace('T', ' ');
}
