import { AppError } from '../../errors.js';
import { type BlobDescriptor, EXECUTOR_PLATFORM, isIndexMediaType } from '../../ports/registry.js';
import { code, text } from '../../shared/text.js';
import { registryNoPlatform } from './registry-errors.js';

/** What a manifest body says, once checked: an image (config + layers) or an index of images by platform. */
export type ParsedManifest =
  | { kind: 'image'; mediaType: string; config: BlobDescriptor; layers: BlobDescriptor[] }
  | { kind: 'index'; mediaType: string; manifests: IndexEntry[] };

export interface IndexEntry {
  digest: string;
  mediaType: string;
  os?: string;
  architecture?: string;
  variant?: string;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

function descriptor(value: unknown, what: string, ref: string): BlobDescriptor {
  const v = value as { digest?: unknown; size?: unknown } | null;
  if (!v || typeof v.digest !== 'string' || !DIGEST.test(v.digest) || typeof v.size !== 'number' || v.size < 0) {
    throw malformed(ref, `its ${what} has no sha256 digest and size`);
  }
  return { digest: v.digest, bytes: v.size };
}

const malformed = (ref: string, why: string) =>
  new AppError('registry_bad_manifest', text`The registry's manifest for ${code(ref)} cannot be read: ${why}.`);

/**
 * Reads a manifest body. The media type is the body's own `mediaType`, else the response's Content-Type (OCI
 * manifests may omit the field); a manifest of schema 1 or an unknown type is refused with a clear message.
 */
export function parseManifest(ref: string, body: string, contentType: string | null): ParsedManifest {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw malformed(ref, 'it is not JSON');
  }
  const mediaType =
    (typeof json.mediaType === 'string' ? json.mediaType : undefined) ?? contentType?.split(';')[0]?.trim() ?? '';
  if (json.schemaVersion !== 2) throw malformed(ref, `schema version ${String(json.schemaVersion)} (expected 2)`);
  if (isIndexMediaType(mediaType) || (Array.isArray(json.manifests) && !Array.isArray(json.layers))) {
    const manifests = (Array.isArray(json.manifests) ? json.manifests : []).map((m: unknown) => {
      const entry = m as { digest?: unknown; mediaType?: unknown; platform?: Record<string, unknown> };
      if (typeof entry?.digest !== 'string' || !DIGEST.test(entry.digest))
        throw malformed(ref, 'an index entry has no digest');
      const p = entry.platform ?? {};
      return {
        digest: entry.digest,
        mediaType: typeof entry.mediaType === 'string' ? entry.mediaType : '',
        ...(typeof p.os === 'string' ? { os: p.os } : {}),
        ...(typeof p.architecture === 'string' ? { architecture: p.architecture } : {}),
        ...(typeof p.variant === 'string' ? { variant: p.variant } : {}),
      };
    });
    return { kind: 'index', mediaType, manifests };
  }
  if (!Array.isArray(json.layers)) throw malformed(ref, 'it lists no layers');
  return {
    kind: 'image',
    mediaType,
    config: descriptor(json.config, 'config', ref),
    layers: json.layers.map((layer) => descriptor(layer, 'layer', ref)),
  };
}

/** The index entry for the executors' platform (linux/amd64), or an AppError listing the platforms there are. */
export function pickExecutorPlatform(ref: string, manifests: IndexEntry[]): IndexEntry {
  const match = manifests.find(
    (m) => m.os === EXECUTOR_PLATFORM.os && m.architecture === EXECUTOR_PLATFORM.architecture,
  );
  if (match) return match;
  throw registryNoPlatform(
    ref,
    manifests.map((m) => [m.os, m.architecture, m.variant].filter(Boolean).join('/')),
  );
}
