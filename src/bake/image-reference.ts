import { AppError } from '../errors.js';
import {
  characterProblem,
  digestProblem,
  domainProblem,
  looksLikeDomain,
  MAX_REFERENCE_LENGTH,
  pathComponentProblem,
  tagProblem,
} from './image-reference-rules.js';

/**
 * Docker image references as the bot accepts them: `[registry[:port]/]path[:tag][@sha256:<hex>]`.
 * Whatever passes here ends up in a root shell on the executor template (via SSM), so the grammar is
 * enforced strictly and the resulting value is branded: only `validateImageReference` can make one.
 */

declare const validatedImageReference: unique symbol;

export interface ImageReference {
  /** The reference exactly as requested. */
  readonly text: string;
  /** Registry `host[:port]` as written, when the reference names one. */
  readonly domain?: string;
  /** Repository path as written (without registry), e.g. `domino/base`. */
  readonly path: string;
  readonly tag?: string;
  /** `sha256:<64 hex>` */
  readonly digest?: string;
  /** The canonical form Docker uses, e.g. `docker.io/library/ubuntu:latest`. */
  readonly normalized: string;
  /** Brand: unforgeable without a cast, so builders of shell commands accept validated values only. */
  readonly [validatedImageReference]: true;
}

export type ImageReferenceResult = { ok: true; ref: ImageReference } | { ok: false; reason: string };

interface Parts {
  domain?: string;
  path: string;
  tag?: string;
  digest?: string;
}

const DEFAULT_DOMAIN = 'docker.io';

/** Splits off digest and tag, then the registry, giving the first thing that is wrong. */
function splitReference(ref: string): Parts | string {
  let rest = ref;
  const parts: Partial<Parts> = {};
  const at = rest.indexOf('@');
  if (at !== -1) {
    if (rest.indexOf('@', at + 1) !== -1) return 'contains more than one `@`';
    parts.digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const problem = digestProblem(parts.digest);
    if (problem) return problem;
  }
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/') && colon > rest.lastIndexOf(']')) {
    parts.tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    const problem = tagProblem(parts.tag);
    if (problem) return problem;
  }
  if (rest === '') return `has no repository name before \`${parts.tag !== undefined ? ':' : '@'}\``;
  if (rest.startsWith('/')) return 'starts with `/`';
  if (rest.endsWith('/')) return 'ends with `/`';
  if (rest.includes('//')) return 'contains an empty path component (`//`)';
  const components = rest.split('/');
  if (components.length > 1 && looksLikeDomain(components[0]!)) {
    parts.domain = components.shift()!;
    const problem = domainProblem(parts.domain);
    if (problem) return problem;
  }
  for (const component of components) {
    const problem = pathComponentProblem(component);
    if (problem) return problem;
  }
  parts.path = components.join('/');
  // Docker refuses these: they would be mistaken for image ids.
  if (parts.domain === undefined && /^[a-f0-9]{64}$/.test(parts.path)) {
    return 'is a 64-character hexadecimal string, which Docker reserves for image ids';
  }
  return parts as Parts;
}

function canonical(parts: Parts): string {
  const domain = parts.domain === undefined || parts.domain === 'index.docker.io' ? DEFAULT_DOMAIN : parts.domain;
  // Official images live under `library/` on Docker Hub: `ubuntu` is docker.io/library/ubuntu.
  const path = domain === DEFAULT_DOMAIN && !parts.path.includes('/') ? `library/${parts.path}` : parts.path;
  const tag = parts.tag ?? (parts.digest === undefined ? 'latest' : undefined);
  return `${domain}/${path}${tag === undefined ? '' : `:${tag}`}${parts.digest === undefined ? '' : `@${parts.digest}`}`;
}

export function validateImageReference(ref: string): ImageReferenceResult {
  if (ref.length === 0) return { ok: false, reason: 'is empty' };
  const charProblem = characterProblem(ref);
  if (charProblem) return { ok: false, reason: charProblem };
  if (ref.length > MAX_REFERENCE_LENGTH) {
    return { ok: false, reason: `is longer than ${MAX_REFERENCE_LENGTH} characters (it has ${ref.length})` };
  }
  if (ref.startsWith('-')) return { ok: false, reason: 'starts with `-`, so a command would read it as an option' };
  const parts = splitReference(ref);
  if (typeof parts === 'string') return { ok: false, reason: parts };
  const value = { text: ref, ...parts, normalized: canonical(parts) };
  return { ok: true, ref: Object.freeze(value) as unknown as ImageReference };
}

/** A sentence for Slack; the reference is shortened so a hostile paste cannot flood the thread. */
export function invalidReferenceMessage(ref: string, reason: string): string {
  const shown = JSON.stringify(ref.length > 80 ? `${ref.slice(0, 80)}…` : ref);
  return `The image reference ${shown} ${reason}.`;
}

/** Like validateImageReference but throws AppError `invalid_image_reference`. */
export function parseImageReference(ref: string): ImageReference {
  const result = validateImageReference(ref);
  if (!result.ok) {
    throw new AppError('invalid_image_reference', invalidReferenceMessage(ref, result.reason), {
      details: { reason: result.reason },
    });
  }
  return result.ref;
}

/** Canonical form for comparing a requested reference with `docker images` output. */
export function normalizeImageReference(ref: string | ImageReference): string {
  return typeof ref === 'string' ? parseImageReference(ref).normalized : ref.normalized;
}

export interface InvalidImageReference {
  ref: string;
  reason: string;
}

/** Every invalid reference, in input order, each with its reason; empty when all are valid. */
export function validateImageReferences(refs: readonly string[]): InvalidImageReference[] {
  return refs.flatMap((ref) => {
    const checked = validateImageReference(ref);
    return checked.ok ? [] : [{ ref, reason: checked.reason }];
  });
}
