/**
 * Container registries (Docker Registry HTTP API v2 / OCI distribution): what an image is made of, read from its
 * manifest, so the bot can tell what each image would cost on the AMI's disk and what layers images share.
 */

/** One content-addressed blob: a layer or an image config. */
export interface BlobDescriptor {
  /** `sha256:<hex>` */
  digest: string;
  /** Bytes as stored and pulled (compressed for layers). */
  bytes: number;
}

export interface ImageLayers {
  /** The reference asked for, as given. */
  ref: string;
  /** Digest of the image manifest read (for an index: of the linux/amd64 image it lists). */
  digest: string;
  mediaType: string;
  /** Digest of the image index or manifest list the image was picked from, when the reference names one. */
  indexDigest?: string;
  config: BlobDescriptor;
  layers: BlobDescriptor[];
}

export interface RegistryPort {
  /**
   * The image's layers and config from its manifest; an image index or manifest list resolves to its linux/amd64
   * image (the executors’ platform). Fails with an AppError: `invalid_image_reference`, `registry_unauthorized`
   * (401/403), `registry_not_found` (404), `registry_unreachable` / `registry_timeout`, `registry_error` (anything else).
   */
  imageLayers(ref: string): Promise<ImageLayers>;
}

/** The platform executors run: images are picked for it out of an index. */
export const EXECUTOR_PLATFORM = { os: 'linux', architecture: 'amd64' } as const;

export const MANIFEST_MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

export const isIndexMediaType = (mediaType: string): boolean =>
  mediaType === MANIFEST_MEDIA_TYPES.dockerList || mediaType === MANIFEST_MEDIA_TYPES.ociIndex;
