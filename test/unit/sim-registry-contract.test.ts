import { createHash } from 'node:crypto';
import { createDockerRegistry } from '../../src/sim/docker-registry.js';
import { createSimRegistry, type SimRegistry } from '../../src/sim/sim-registry.js';
import { type Credentials, type RegistryUnderTest, registryPortContract } from '../contract/registry-port.contract.js';

const HOST = 'registry.sim.example:5000';

/** The simulator's registry, strict (only pushed images exist); a layer's id is the hash of its seed, as pushed. */
function simUnderTest(login?: Credentials): RegistryUnderTest {
  const registry = createDockerRegistry();
  const configure = (sim: SimRegistry) => {
    if (login) sim.requireLogin(HOST, login.username, login.password);
    sim.setReachable('down.sim.example', false);
    return sim;
  };
  const layerId = (seed: string, size: number) => createHash('sha256').update(`${seed}:${size}`).digest('hex');
  return {
    host: HOST,
    port: (credentials) =>
      configure(
        createSimRegistry(registry, {
          strict: true,
          ...(credentials ? { credentials: [{ host: HOST, ...credentials }] } : {}),
        }),
      ),
    async push(repository, tag, layers) {
      const ref = `${HOST}/${repository}:${tag}`;
      const image = registry.put(
        ref,
        layers.map((l) => ({ id: layerId(l.seed, l.size), bytes: l.size })),
      );
      return {
        ref,
        digest: image.digest,
        layers: image.layers.map((l) => ({ digest: `sha256:${l.id}`, bytes: l.bytes })),
      };
    },
    async pushIndex(repository, tag, entries) {
      const ref = `${HOST}/${repository}:${tag}`;
      const digest = registry.putIndex(
        ref,
        entries.map((e) => ({ ref: e.image.ref, os: e.os, architecture: e.architecture })),
      );
      return { ref, digest };
    },
    unreachableRef: async () => 'down.sim.example/team/any:v1',
  };
}

registryPortContract('simulator, anonymous', async () => simUnderTest());
registryPortContract('simulator, login required', async () => simUnderTest({ username: 'bot', password: 's3cret' }), {
  username: 'bot',
  password: 's3cret',
});
