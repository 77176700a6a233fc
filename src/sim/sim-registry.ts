import { locate } from '../adapters/registry/registry-client.js';
import {
  registryNoPlatform,
  registryNotFound,
  registryUnauthorized,
  registryUnreachable,
} from '../adapters/registry/registry-errors.js';
import { type ImageLayers, MANIFEST_MEDIA_TYPES, type RegistryPort } from '../ports/registry.js';
import type { DockerRegistry, RegistryImage } from './docker-registry.js';

export interface SimRegistryOptions {
  /** Only images stored with `put`/`define` exist (the contract); otherwise every reference resolves (the demo). */
  strict?: boolean;
  /** The credentials the bot is configured with, per registry host (as the real client gets them). */
  credentials?: ReadonlyArray<{ host: string; username?: string; password?: string }>;
}

export interface SimRegistry extends RegistryPort {
  /** A registry host that requires these credentials (others are anonymous). */
  requireLogin(host: string, username: string, password: string): void;
  /** An outage of one registry host (`false`) and its end (`true`). */
  setReachable(host: string, reachable: boolean): void;
  /** How many manifests were read (a test's measure of caching and of what the bake looked up). */
  reads(): number;
}

/** RegistryPort on the simulator's registries: the same answers and AppErrors as the HTTP client. */
export function createSimRegistry(registry: DockerRegistry, options: SimRegistryOptions = {}): SimRegistry {
  const logins = new Map<string, { username: string; password: string }>();
  const down = new Set<string>();
  let reads = 0;

  const layersOf = (ref: string, image: RegistryImage, indexDigest?: string): ImageLayers => ({
    ref,
    digest: image.digest,
    mediaType: MANIFEST_MEDIA_TYPES.dockerManifest,
    ...(indexDigest ? { indexDigest } : {}),
    config: { digest: image.imageId, bytes: 1024 + image.layers.length * 128 },
    layers: image.layers.map((layer) => ({ digest: `sha256:${layer.id}`, bytes: layer.bytes })),
  });

  const find = (ref: string, host: string): RegistryImage => {
    const stored = registry.lookup(ref);
    if (stored) return stored;
    if (options.strict) throw registryNotFound(host, ref);
    return registry.resolve(ref);
  };

  return {
    async imageLayers(ref) {
      const { host, repository } = locate(ref);
      reads += 1;
      if (down.has(host)) {
        throw registryUnreachable(host, 'ECONNREFUSED');
      }
      const login = logins.get(host);
      const given = options.credentials?.find((c) => c.host === host);
      if (login && (given?.username !== login.username || given?.password !== login.password)) {
        throw registryUnauthorized(host, repository, given?.username !== undefined);
      }
      const index = registry.index(ref);
      if (!index) return layersOf(ref, find(ref, host));
      const entry = index.entries.find((e) => e.os === 'linux' && e.architecture === 'amd64');
      if (!entry) {
        throw registryNoPlatform(
          ref,
          index.entries.map((e) => `${e.os}/${e.architecture}`),
        );
      }
      return layersOf(ref, find(entry.ref, host), index.digest);
    },
    requireLogin: (host, username, password) => {
      logins.set(host, { username, password });
    },
    setReachable: (host, reachable) => {
      if (reachable) down.delete(host);
      else down.add(host);
    },
    reads: () => reads,
  };
}
