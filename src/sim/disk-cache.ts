import type { Layer, RegistryImage } from './docker-registry.js';
import { rootVolumeGiBOf, type SimInstance } from './sim-world.js';

/** A docker image on a disk (instance volume or AMI snapshot). */
export interface CachedImage {
  ref: string;
  digest: string;
  imageId: string;
  sizeBytes: number;
  layers: Layer[];
  createdAt: Date;
}

export function toCachedImage(image: RegistryImage): CachedImage {
  return {
    ref: image.ref,
    digest: image.digest,
    imageId: image.imageId,
    sizeBytes: image.sizeBytes,
    layers: image.layers,
    createdAt: image.createdAt,
  };
}

/** Layer ids present on a disk: what `docker pull` reports as "Already exists". */
export function layersOnDisk(images: Map<string, CachedImage>): Set<string> {
  return new Set([...images.values()].flatMap((i) => i.layers.map((l) => l.id)));
}

export function cachedBytes(images: Map<string, CachedImage>): number {
  const layers = new Map<string, number>();
  for (const image of images.values()) for (const l of image.layers) layers.set(l.id, l.bytes);
  return [...layers.values()].reduce((sum, b) => sum + b, 0);
}

/** What the OS, Docker and the agents take on a simulated root volume before any image. */
export const SIM_OS_BYTES = 8 * 1024 ** 3;

/**
 * Would `addedBytes` more fill the instance's root volume (both runtimes' images and the OS on it)? A pull that
 * does gets "no space left on device", as on a real template.
 */
export function isDiskFull(
  instance: Pick<SimInstance, 'rootVolumeGiB' | 'dockerImages' | 'containerdImages'>,
  addedBytes: number,
): boolean {
  const used = SIM_OS_BYTES + cachedBytes(instance.dockerImages) + cachedBytes(instance.containerdImages ?? new Map());
  return used + addedBytes > rootVolumeGiBOf(instance) * 1024 ** 3;
}
