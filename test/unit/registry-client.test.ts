import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/adapters/registry/manifest.js';
import { createRegistryClient, locate } from '../../src/adapters/registry/registry-client.js';
import { parseChallenge } from '../../src/adapters/registry/www-authenticate.js';
import { isAppError } from '../../src/errors.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isAppError(error) ? error.code : `not an AppError: ${String(error)}`;
}

describe('parseChallenge', () => {
  it('reads a Bearer challenge with quoted and bare values', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.docker.io/token",service=registry.docker.io,scope="repository:library/ubuntu:pull"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:library/ubuntu:pull',
      },
    });
  });

  it('reads Basic, unescapes quotes and lowercases names', () => {
    expect(parseChallenge('basic Realm="say \\"hi\\""')).toEqual({ scheme: 'basic', params: { realm: 'say "hi"' } });
  });

  it('gives undefined for no header or another scheme', () => {
    expect(parseChallenge(null)).toBeUndefined();
    expect(parseChallenge('Negotiate abc')).toBeUndefined();
  });
});

describe('locate', () => {
  it('splits references the way Docker resolves them', () => {
    expect(locate('ubuntu')).toEqual({ host: 'docker.io', repository: 'library/ubuntu', reference: 'latest' });
    expect(locate('quay.io/domino/base:v5')).toEqual({ host: 'quay.io', repository: 'domino/base', reference: 'v5' });
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(locate(`127.0.0.1:5000/team/env:1@${digest}`)).toEqual({
      host: '127.0.0.1:5000',
      repository: 'team/env',
      reference: digest,
    });
  });
});

describe('parseManifest', () => {
  it('refuses schema 1 and bodies without layers, saying why', () => {
    expect(() => parseManifest('x:1', '{"schemaVersion":1}', null)).toThrow(/schema version 1/);
    expect(() =>
      parseManifest('x:1', '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}', null),
    ).toThrow(/no layers/);
    expect(() => parseManifest('x:1', 'not json', null)).toThrow(/not JSON/);
  });

  it('takes the media type from Content-Type when the body omits it (OCI allows that)', () => {
    const body = JSON.stringify({
      schemaVersion: 2,
      manifests: [{ digest: `sha256:${'b'.repeat(64)}`, platform: { os: 'linux', architecture: 'amd64' } }],
    });
    const parsed = parseManifest('x:1', body, 'application/vnd.oci.image.index.v1+json; charset=utf-8');
    expect(parsed.kind).toBe('index');
    expect(parsed.mediaType).toBe('application/vnd.oci.image.index.v1+json');
  });
});

describe('createRegistryClient failures', () => {
  const client = (fetchImpl: typeof fetch) =>
    createRegistryClient({ registries: [], fetch: fetchImpl, timeoutMs: 1_000 });

  it('maps a request that times out to registry_timeout and a refused connection to registry_unreachable', async () => {
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    expect(await codeOf(client(async () => Promise.reject(timeout)).imageLayers('quay.io/a/b:1'))).toBe(
      'registry_timeout',
    );
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const error = await client(async () => Promise.reject(refused))
      .imageLayers('quay.io/a/b:1')
      .catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('registry_unreachable');
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('maps another HTTP error to registry_error with the status', async () => {
    const error = await client(async () => new Response('oops', { status: 503 }))
      .imageLayers('quay.io/a/b:1')
      .catch((e: unknown) => e as Error);
    expect(isAppError(error) && error.code).toBe('registry_error');
    expect((error as Error).message).toContain('503');
  });

  it('asks https of configured hosts unless insecure, and Docker Hub on its API host', async () => {
    const urls: string[] = [];
    const fetchImpl = (async (url: string) => {
      urls.push(url);
      return new Response('', { status: 404 });
    }) as unknown as typeof fetch;
    const c = createRegistryClient({ registries: [{ host: 'local:5000', insecure: true }], fetch: fetchImpl });
    await c.imageLayers('ubuntu:24.04').catch(() => {});
    await c.imageLayers('local:5000/x/y:1').catch(() => {});
    expect(urls).toEqual([
      'https://registry-1.docker.io/v2/library/ubuntu/manifests/24.04',
      'http://local:5000/v2/x/y/manifests/1',
    ]);
  });

  it('sends credentials for a token only over https, unless the registry is configured as plain HTTP', async () => {
    const asked: string[] = [];
    const fetchImpl = (async (url: string) => {
      asked.push(url);
      return new Response('', {
        status: 401,
        headers: { 'www-authenticate': 'Bearer realm="http://tokens.example/token",service="reg"' },
      });
    }) as unknown as typeof fetch;
    const c = createRegistryClient({
      registries: [{ host: 'quay.io', username: 'bot', password: 'pw-never-over-http' }],
      fetch: fetchImpl,
    });
    const error = await c.imageLayers('quay.io/a/b:1').catch((e: unknown) => e as Error);
    expect(isAppError(error) && error.code).toBe('registry_error');
    expect((error as Error).message).toContain('https expected');
    expect(asked).toEqual(['https://quay.io/v2/a/b/manifests/1']);
  });
});
