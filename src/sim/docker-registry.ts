import { hashHex, hashUnit } from './random.js';

const MB = 1024 * 1024;

export interface Layer {
  /** Full sha256 hex; docker prints the first 12 chars. */
  id: string;
  bytes: number;
}

/** An image as the simulated registries (quay.io, a private one, …) serve it. */
export interface RegistryImage {
  /** Normalised `repository:tag`. */
  ref: string;
  repository: string;
  tag: string;
  digest: string;
  /** Docker's local image id (sha256 of the config). */
  imageId: string;
  layers: Layer[];
  sizeBytes: number;
  createdAt: Date;
}

export interface DockerRegistry {
  /** Every reference resolves, deterministically from its text, unless `define` fixed its size first. */
  resolve(ref: string): RegistryImage;
  /** Pins the total size of an image (the demo's famous 4 GB base image, say). */
  define(ref: string, sizeBytes: number, createdAt?: Date): RegistryImage;
  /** Stores an image with exactly these layers (shared layers: the same id in two images), as a push would. */
  put(ref: string, layers: Layer[], createdAt?: Date): RegistryImage;
  /** The image `define` or `put` stored under this tag, or with this digest (`repo@sha256:…`); a strict registry serves only those. */
  lookup(ref: string): RegistryImage | undefined;
  /** Stores an image index (a multi-platform tag) over images already stored; returns its digest. */
  putIndex(ref: string, entries: ImageIndexEntry[]): string;
  index(ref: string): { digest: string; entries: ImageIndexEntry[] } | undefined;
}

export interface ImageIndexEntry {
  /** The platform's image, stored with `put`. */
  ref: string;
  os: string;
  architecture: string;
}

/** `quay.io/domino/base` → `quay.io/domino/base:latest`; keeps a digest reference as it is. */
export function normaliseRef(ref: string): { ref: string; repository: string; tag: string } {
  const at = ref.indexOf('@');
  if (at >= 0) return { ref, repository: ref.slice(0, at), tag: '<none>' };
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { ref, repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { ref: `${ref}:latest`, repository: ref, tag: 'latest' };
}

/** The Docker reference grammar, simplified: what `docker pull` rejects as "invalid reference format". */
export function isValidDockerRef(ref: string): boolean {
  return /^(?:[a-z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-]{1,2}[a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-]{1,2}[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/.test(
    ref,
  );
}

export function createDockerRegistry(): DockerRegistry {
  const images = new Map<string, RegistryImage>();
  const indexes = new Map<string, { digest: string; entries: ImageIndexEntry[] }>();

  const build = (ref: string, sizeBytes?: number, createdAt?: Date): RegistryImage => {
    const n = normaliseRef(ref);
    // Images of one organisation share their OS/base layers, as Domino's environments do: pulling a second
    // environment onto a host that has the base image downloads only the top layers ("Already exists").
    const org = n.repository.split('/').slice(0, -1).join('/') || n.repository;
    const base = Array.from({ length: 3 }, (_, i) => ({
      id: hashHex(`base:${org}:${i}`),
      bytes: Math.round((120 + 200 * hashUnit(`base-size:${org}:${i}`)) * MB),
    }));
    const baseBytes = base.reduce((sum, l) => sum + l.bytes, 0);
    const total = sizeBytes ?? Math.round((1200 + 2800 * hashUnit(`size:${n.ref}`)) * MB);
    const own = Math.max(total - baseBytes, 50 * MB);
    const count = 3 + Math.floor(4 * hashUnit(`count:${n.ref}`));
    const weights = Array.from({ length: count }, (_, i) => 0.2 + hashUnit(`w:${n.ref}:${i}`));
    const weightSum = weights.reduce((a, b) => a + b, 0);
    const top = weights.map((w, i) => ({
      id: hashHex(`layer:${n.ref}:${i}`),
      bytes: Math.round((own * w) / weightSum),
    }));
    const layers = [...base, ...top];
    return {
      ...n,
      digest: `sha256:${hashHex(`digest:${n.ref}`)}`,
      imageId: `sha256:${hashHex(`id:${n.ref}`)}`,
      layers,
      sizeBytes: layers.reduce((sum, l) => sum + l.bytes, 0),
      createdAt: createdAt ?? new Date(Date.UTC(2026, 0, 1) - Math.floor(hashUnit(`age:${n.ref}`) * 400) * 86_400_000),
    };
  };

  return {
    resolve: (ref) => {
      const key = normaliseRef(ref).ref;
      let image = images.get(key);
      if (image === undefined) {
        image = build(key);
        images.set(key, image);
      }
      return image;
    },
    put: (ref, layers, createdAt) => {
      const n = normaliseRef(ref);
      const image: RegistryImage = {
        ...n,
        digest: `sha256:${hashHex(`digest:${n.ref}:${layers.map((l) => l.id).join(',')}`)}`,
        imageId: `sha256:${hashHex(`id:${n.ref}:${layers.map((l) => l.id).join(',')}`)}`,
        layers: layers.map((l) => ({ ...l })),
        sizeBytes: layers.reduce((sum, l) => sum + l.bytes, 0),
        createdAt: createdAt ?? new Date(Date.UTC(2026, 0, 1)),
      };
      images.set(image.ref, image);
      return image;
    },
    lookup: (ref) => {
      const n = normaliseRef(ref);
      const at = ref.indexOf('@');
      if (at < 0) return images.get(n.ref);
      const digest = ref.slice(at + 1);
      return [...images.values()].find((image) => image.repository === n.repository && image.digest === digest);
    },
    putIndex: (ref, entries) => {
      const digest = `sha256:${hashHex(`index:${ref}:${entries.map((e) => `${e.ref}@${e.os}/${e.architecture}`).join(',')}`)}`;
      indexes.set(normaliseRef(ref).ref, { digest, entries: entries.map((e) => ({ ...e })) });
      return digest;
    },
    index: (ref) => indexes.get(normaliseRef(ref).ref),
    define: (ref, sizeBytes, createdAt) => {
      const image = build(ref, sizeBytes, createdAt);
      images.set(image.ref, image);
      return image;
    },
  };
}
