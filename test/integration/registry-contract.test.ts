import { afterAll, describe, expect, it } from 'vitest';
import { createRegistryClient } from '../../src/adapters/registry/registry-client.js';
import { type Credentials, type RegistryUnderTest, registryPortContract } from '../contract/registry-port.contract.js';
import { getFreePort } from '../support/free-port.js';
import { layerBlob, MEDIA, type RegistryAuth, startTestRegistry, type TestRegistry } from '../support/registry.js';

const LOGIN: Credentials = { username: 'ami-bot', password: 'pull-secret-7f3a' };
const started: TestRegistry[] = [];
afterAll(async () => {
  await Promise.all(started.map((registry) => registry.stop()));
});

/** The HTTP client against the CNCF distribution registry (plain HTTP on loopback: `insecure`). */
async function realUnderTest(auth: RegistryAuth): Promise<RegistryUnderTest> {
  const registry = await startTestRegistry({ auth, users: [LOGIN] });
  started.push(registry);
  return {
    host: registry.host,
    port: (credentials) =>
      createRegistryClient({ registries: [{ host: registry.host, insecure: true, ...credentials }], timeoutMs: 5_000 }),
    async push(repository, tag, layers, format) {
      const image = await registry.pushImage(
        repository,
        tag,
        layers.map((l) => layerBlob(l.seed, l.size)),
        { format },
      );
      return {
        ref: image.ref,
        digest: image.digest,
        layers: image.layers.map((l) => ({ digest: l.digest, bytes: l.size })),
      };
    },
    async pushIndex(repository, tag, entries, format) {
      const pushed = entries.map((e) => ({
        image: { digest: e.image.digest, mediaType: format === 'oci' ? MEDIA.ociManifest : MEDIA.dockerManifest },
        os: e.os,
        architecture: e.architecture,
      }));
      return registry.pushIndex(repository, tag, pushed, format);
    },
    // Nothing listens on a port just freed: the connection is refused.
    unreachableRef: async () => `127.0.0.1:${await getFreePort()}/team/any:v1`,
  };
}

registryPortContract('HTTP client on the distribution registry, anonymous', () => realUnderTest('anonymous'));
registryPortContract(
  'HTTP client on the distribution registry, htpasswd basic auth',
  () => realUnderTest('htpasswd'),
  LOGIN,
);
registryPortContract('HTTP client on the distribution registry, token auth', () => realUnderTest('token'), LOGIN);

describe('HTTP client: the token flow', () => {
  it('pulls anonymously with a token where the token service allows it (the Docker Hub flow), one token per repository', async () => {
    const registry = await startTestRegistry({ auth: 'token', users: [LOGIN], anonymousPull: true });
    started.push(registry);
    const a = await registry.pushImage('public/env', 'a', [layerBlob('pa', 100)]);
    const b = await registry.pushImage('public/env', 'b', [layerBlob('pb', 100)]);
    const before = registry.tokenRequests();
    const client = createRegistryClient({ registries: [{ host: registry.host, insecure: true }] });
    expect((await client.imageLayers(a.ref)).digest).toBe(a.digest);
    expect((await client.imageLayers(b.ref)).digest).toBe(b.digest);
    // The second read reuses the first token (it has not expired).
    expect(registry.tokenRequests() - before).toBe(1);
  });
});
