import type { Layer, RegistryImage } from './docker-registry.js';

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
