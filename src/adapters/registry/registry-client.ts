import { createHash } from 'node:crypto';
import { parseImageReference } from '../../bake/image-reference.js';
import { AppError } from '../../errors.js';
import { type ImageLayers, MANIFEST_MEDIA_TYPES, type RegistryPort } from '../../ports/registry.js';
import { code, text } from '../../shared/text.js';
import { parseManifest, pickExecutorPlatform } from './manifest.js';
import { registryNotFound, registryUnauthorized, registryUnreachable } from './registry-errors.js';
import { parseChallenge } from './www-authenticate.js';

export interface RegistryCredential {
  /** Registry host[:port] as image references name it (`docker.io`, `quay.io`, `registry.example.com:5000`). */
  host: string;
  username?: string;
  /** From the environment (config.ts); sent only to that host and its token realm, never logged or shown. */
  password?: string;
  /** Plain HTTP (a registry on a private network or loopback), as Docker's `insecure-registries`. */
  insecure?: boolean;
}

export interface RegistryClientOptions {
  registries: readonly RegistryCredential[];
  /** Per HTTP request (default 20 s). */
  timeoutMs?: number;
  /** The time a token's expiry is measured on (default the system clock). */
  now?: () => number;
  fetch?: typeof fetch;
}

/** Every manifest type the bot reads; a registry answers with one of them (content negotiation). */
const ACCEPT = [
  MANIFEST_MEDIA_TYPES.ociIndex,
  MANIFEST_MEDIA_TYPES.dockerList,
  MANIFEST_MEDIA_TYPES.ociManifest,
  MANIFEST_MEDIA_TYPES.dockerManifest,
].join(', ');

/** Docker Hub's API lives on another host than the one references name. */
const apiHost = (host: string) => (host === 'docker.io' ? 'registry-1.docker.io' : host);

interface Token {
  value: string;
  expiresAt: number;
}

/**
 * RegistryPort over the Docker Registry HTTP API v2 / OCI distribution spec. Authentication follows the
 * registry's `WWW-Authenticate` challenge: Bearer (the token flow of Docker Hub, Harbor, Quay, GitLab: a token
 * from the realm for `repository:<name>:pull`, with basic credentials when configured, anonymous otherwise) or
 * Basic. Tokens are kept per host and repository until they expire. Credentials come from the configuration only.
 */
export function createRegistryClient(options: RegistryClientOptions): RegistryPort {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? fetch;
  const tokens = new Map<string, Token>();
  const credentialOf = (host: string) => options.registries.find((r) => r.host === host);

  const basicHeader = (credential: RegistryCredential | undefined) =>
    credential?.username !== undefined && credential.password !== undefined
      ? `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`
      : undefined;

  async function send(url: string, headers: Record<string, string>, host: string, what: string): Promise<Response> {
    try {
      return await doFetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new AppError(
          'registry_timeout',
          text`The registry ${code(host)} did not answer within ${String(timeoutMs / 1000)} s (${what}).`,
        );
      }
      const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw registryUnreachable(host, reason, error);
    }
  }

  async function bearerToken(
    host: string,
    repository: string,
    params: Record<string, string>,
    credential: RegistryCredential | undefined,
  ): Promise<string> {
    const realm = params.realm;
    if (!realm)
      throw new AppError('registry_error', text`The registry ${code(host)} asked for a token without a realm.`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new AppError('registry_error', text`The registry ${code(host)} named a token realm that is not a URL.`);
    }
    // Credentials go over TLS only, unless this registry is configured as plain HTTP.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && credential?.insecure)) {
      throw new AppError(
        'registry_error',
        text`The registry ${code(host)} asked for a token over ${url.protocol} (https expected).`,
      );
    }
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? `repository:${repository}:pull`);
    const basic = basicHeader(credential);
    const response = await send(url.toString(), basic ? { authorization: basic } : {}, host, 'token');
    if (response.status === 401 || response.status === 403) throw unauthorized(host, repository, credential);
    if (!response.ok) {
      throw new AppError(
        'registry_error',
        text`The token service of ${code(host)} answered HTTP ${String(response.status)}.`,
      );
    }
    const body = (await response.json().catch(() => ({}))) as {
      token?: unknown;
      access_token?: unknown;
      expires_in?: unknown;
    };
    const value = typeof body.token === 'string' ? body.token : body.access_token;
    if (typeof value !== 'string' || value === '') {
      throw new AppError('registry_error', text`The token service of ${code(host)} returned no token.`);
    }
    // The spec's default lifetime is 60 s; renew a little early so a token never expires in flight.
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    tokens.set(`${host} ${repository}`, { value, expiresAt: now() + (seconds - 10) * 1000 });
    return value;
  }

  /** GET with the stored token or none; on a challenge, authenticate as it asks and try once more. */
  async function get(host: string, repository: string, path: string, what: string): Promise<Response> {
    const credential = credentialOf(host);
    const base = `${credential?.insecure ? 'http' : 'https'}://${apiHost(host)}/v2/${repository}/${path}`;
    const headers: Record<string, string> = { accept: ACCEPT };
    const cached = tokens.get(`${host} ${repository}`);
    if (cached && cached.expiresAt > now()) headers.authorization = `Bearer ${cached.value}`;
    let response = await send(base, headers, host, what);
    if (response.status !== 401) return response;
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    await response.body?.cancel();
    if (challenge?.scheme === 'bearer') {
      headers.authorization = `Bearer ${await bearerToken(host, repository, challenge.params, credential)}`;
    } else if (challenge?.scheme === 'basic' && basicHeader(credential)) {
      headers.authorization = basicHeader(credential)!;
    } else {
      throw unauthorized(host, repository, credential);
    }
    response = await send(base, headers, host, what);
    if (response.status === 401) throw unauthorized(host, repository, credential);
    return response;
  }

  async function manifest(host: string, repository: string, reference: string, ref: string) {
    const response = await get(host, repository, `manifests/${reference}`, `manifest of ${ref}`);
    const body = await response.text();
    if (response.status === 404) {
      throw registryNotFound(host, ref);
    }
    if (response.status === 403) throw unauthorized(host, repository, credentialOf(host));
    if (!response.ok) {
      throw new AppError(
        'registry_error',
        text`The registry ${code(host)} answered HTTP ${String(response.status)} for ${code(ref)}.`,
      );
    }
    const digest =
      response.headers.get('docker-content-digest') ?? `sha256:${createHash('sha256').update(body).digest('hex')}`;
    return { digest, parsed: parseManifest(ref, body, response.headers.get('content-type')) };
  }

  return {
    async imageLayers(ref): Promise<ImageLayers> {
      const { host, repository, reference } = locate(ref);
      const first = await manifest(host, repository, reference, ref);
      if (first.parsed.kind === 'image') {
        const { mediaType, config, layers } = first.parsed;
        return { ref, digest: first.digest, mediaType, config, layers };
      }
      const entry = pickExecutorPlatform(ref, first.parsed.manifests);
      const image = await manifest(host, repository, entry.digest, ref);
      if (image.parsed.kind !== 'image') {
        throw new AppError('registry_bad_manifest', text`The index of ${code(ref)} points at another index.`);
      }
      const { mediaType, config, layers } = image.parsed;
      return { ref, digest: entry.digest, indexDigest: first.digest, mediaType, config, layers };
    },
  };
}

/** The registry host, repository and tag-or-digest of a reference, in the canonical form Docker resolves. */
export function locate(ref: string): { host: string; repository: string; reference: string } {
  const normalized = parseImageReference(ref).normalized;
  const at = normalized.indexOf('@');
  const name = at >= 0 ? normalized.slice(0, at) : normalized;
  const slash = name.indexOf('/');
  const host = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  const colon = rest.lastIndexOf(':');
  const repository = colon >= 0 ? rest.slice(0, colon) : rest;
  const reference = at >= 0 ? normalized.slice(at + 1) : colon >= 0 ? rest.slice(colon + 1) : 'latest';
  return { host, repository, reference };
}

const unauthorized = (host: string, repository: string, credential: RegistryCredential | undefined) =>
  registryUnauthorized(host, repository, credential?.username !== undefined);
