import { beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import type { BlobDescriptor, RegistryPort } from '../../src/ports/registry.js';

export interface Credentials {
  username: string;
  password: string;
}

export interface PushedTestImage {
  ref: string;
  digest: string;
  layers: BlobDescriptor[];
}

export interface RegistryUnderTest {
  /** `host[:port]` of the registry. */
  host: string;
  /** A client configured with these credentials for the registry (none: anonymous). */
  port(credentials?: Credentials): RegistryPort;
  /** Pushes an image whose layers are `size` bytes made from `seed`: the same seed is the same (shared) layer. */
  push(
    repository: string,
    tag: string,
    layers: Array<{ seed: string; size: number }>,
    format: 'docker' | 'oci',
  ): Promise<PushedTestImage>;
  pushIndex(
    repository: string,
    tag: string,
    entries: Array<{ image: PushedTestImage; os: string; architecture: string }>,
    format: 'docker' | 'oci',
  ): Promise<{ ref: string; digest: string }>;
  /** A reference on a registry host that does not answer. */
  unreachableRef(): Promise<string>;
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  if (!isAppError(error)) throw error;
  return { code: error.code, message: error.message };
}

/** One behaviour for RegistryPort: the HTTP client on the CNCF distribution registry, and the simulator. */
export function registryPortContract(
  name: string,
  open: () => Promise<RegistryUnderTest>,
  /** The login the registry requires; none: it serves anyone. */
  login?: Credentials,
): void {
  describe(`RegistryPort contract: ${name}`, () => {
    let r: RegistryUnderTest;
    let port: RegistryPort;
    beforeAll(async () => {
      r = await open();
      port = r.port(login);
    });

    it.each(['docker', 'oci'] as const)(
      'reads a %s image manifest: digest, config and every layer with its size',
      async (format) => {
        const pushed = await r.push(
          `team/${format}-one`,
          'v1',
          [
            { seed: 'os', size: 3000 },
            { seed: `${format}-python`, size: 2000 },
            { seed: `${format}-app`, size: 500 },
          ],
          format,
        );
        const read = await port.imageLayers(pushed.ref);
        expect(read.ref).toBe(pushed.ref);
        expect(read.digest).toBe(pushed.digest);
        expect(read.indexDigest).toBeUndefined();
        expect(read.layers).toEqual(pushed.layers);
        expect(read.layers.map((l) => l.bytes)).toEqual([3000, 2000, 500]);
        expect(read.config.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
      },
    );

    it('gives two images that share layers the same layer digests', async () => {
      const a = await r.push(
        'team/shared-a',
        'v1',
        [
          { seed: 'base-os', size: 1000 },
          { seed: 'a-top', size: 10 },
        ],
        'docker',
      );
      const b = await r.push(
        'team/shared-b',
        'v1',
        [
          { seed: 'base-os', size: 1000 },
          { seed: 'b-top', size: 20 },
        ],
        'oci',
      );
      const [la, lb] = [await port.imageLayers(a.ref), await port.imageLayers(b.ref)];
      expect(la.layers[0]).toEqual(lb.layers[0]);
      expect(la.layers[1]!.digest).not.toBe(lb.layers[1]!.digest);
    });

    it('reads an image by digest reference', async () => {
      const pushed = await r.push('team/by-digest', 'v1', [{ seed: 'digest-layer', size: 700 }], 'docker');
      const ref = `${r.host}/team/by-digest@${pushed.digest}`;
      const read = await port.imageLayers(ref);
      expect(read.digest).toBe(pushed.digest);
      expect(read.layers).toEqual(pushed.layers);
    });

    it.each(['oci', 'docker'] as const)('resolves a %s image index to its linux/amd64 image', async (format) => {
      const arm = await r.push(`team/${format}-multi`, 'arm', [{ seed: `${format}-arm`, size: 900 }], format);
      const amd = await r.push(`team/${format}-multi`, 'amd', [{ seed: `${format}-amd`, size: 800 }], format);
      const index = await r.pushIndex(
        `team/${format}-multi`,
        'v1',
        [
          { image: arm, os: 'linux', architecture: 'arm64' },
          { image: amd, os: 'linux', architecture: 'amd64' },
        ],
        format,
      );
      const read = await port.imageLayers(index.ref);
      expect(read.digest).toBe(amd.digest);
      expect(read.indexDigest).toBe(index.digest);
      expect(read.layers).toEqual(amd.layers);
    });

    it('refuses an index without a linux/amd64 image, naming the platforms it has', async () => {
      const arm = await r.push('team/arm-only', 'arm', [{ seed: 'arm-only', size: 100 }], 'oci');
      const index = await r.pushIndex(
        'team/arm-only',
        'v1',
        [{ image: arm, os: 'linux', architecture: 'arm64' }],
        'oci',
      );
      const error = await failure(port.imageLayers(index.ref));
      expect(error.code).toBe('registry_no_platform');
      expect(error.message).toContain('linux/arm64');
      // The registry does not know the deployment's kind: the sentence fits an executor and an EKS node alike.
      expect(error.message).toContain('so no executor or EKS node booted from the AMI could run it.');
    });

    it('says registry_not_found for a tag the registry does not have', async () => {
      const error = await failure(port.imageLayers(`${r.host}/team/never-pushed:v9`));
      expect(error.code).toBe('registry_not_found');
      expect(error.message).toContain('team/never-pushed:v9');
    });

    it('says registry_unreachable for a registry that does not answer', async () => {
      const error = await failure(port.imageLayers(await r.unreachableRef()));
      expect(error.code).toBe('registry_unreachable');
    });

    if (login) {
      it('refuses a wrong password or no credentials, never echoing the password', async () => {
        const pushed = await r.push('team/private', 'v1', [{ seed: 'private', size: 10 }], 'docker');
        const client = r.port({ username: login.username, password: 'not-the-password-42' });
        const wrong = await failure(client.imageLayers(pushed.ref));
        expect(wrong.code).toBe('registry_unauthorized');
        expect(wrong.message).not.toContain('not-the-password-42');
        expect(wrong.message).toContain('credentials');
        const none = await failure(r.port().imageLayers(pushed.ref));
        expect(none.code).toBe('registry_unauthorized');
        expect(none.message).toContain('passwordEnv');
      });
    } else {
      it('serves anyone: a client without credentials reads', async () => {
        const pushed = await r.push('team/open', 'v1', [{ seed: 'open', size: 10 }], 'docker');
        expect((await r.port().imageLayers(pushed.ref)).digest).toBe(pushed.digest);
      });
    }
  });
}
