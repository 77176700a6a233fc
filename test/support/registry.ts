// Runs the CNCF distribution registry (test/registry, built from the Go module proxy like the test FerretDB) on a
// free loopback port, anonymous, behind htpasswd basic auth, or behind token auth with a token server of this
// module's own (ES256 JWTs, trusted by the registry through a JWKS file). Images are pushed by the test itself over
// the registry HTTP API: blob uploads (POST + PUT) and manifest PUTs, Docker v2 or OCI, and image indexes.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getFreePort } from './free-port.js';
import { ensureGoBinary, type GoBinarySpec } from './go-binary.js';
import { settlesWithin } from './settle.js';
import { waitForHttp } from './wait-for-http.js';

const execFileP = promisify(execFile);

const REGISTRY: GoBinarySpec = {
  name: 'registry',
  sourceFiles: ['main.go', 'go.mod', 'go.sum'],
  // distribution v3.1's go.mod asks for Go 1.26; an older Go would try to download a toolchain (no internet here).
  goMissingMessage: 'the test registry needs Go >= 1.26 on PATH (it is built from the Go module proxy)',
  minGoMinor: 26,
};

export const ensureRegistryBinary = (): Promise<string> => ensureGoBinary(REGISTRY);

export const MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export type RegistryAuth = 'anonymous' | 'htpasswd' | 'token';

export interface RegistryUser {
  username: string;
  password: string;
}

export interface TestRegistryOptions {
  auth?: RegistryAuth;
  /** Who may log in (htpasswd, token); each may pull and push. */
  users?: RegistryUser[];
  /** Token auth: anonymous callers get pull tokens (as Docker Hub gives for public images). */
  anonymousPull?: boolean;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface PushedImage {
  /** `host:port/repository:tag` */
  ref: string;
  digest: string;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface LayerBlob {
  digest: string;
  size: number;
  content: Buffer;
}

export interface TestRegistry {
  /** `127.0.0.1:<port>`: the registry host as an image reference names it. */
  readonly host: string;
  readonly url: string;
  readonly auth: RegistryAuth;
  /** Token requests the token server answered (token auth), for tests of the client's token flow. */
  readonly tokenRequests: () => number;
  /** Pushes the blobs and the manifest; `platform` goes into the config. */
  pushImage(
    repository: string,
    tag: string,
    layers: LayerBlob[],
    options?: { format?: 'docker' | 'oci'; os?: string; architecture?: string },
  ): Promise<PushedImage>;
  /** Pushes an image index (OCI) or manifest list (Docker) over images already pushed by digest. */
  pushIndex(
    repository: string,
    tag: string,
    entries: Array<{ image: Pick<PushedImage, 'digest' | 'mediaType'>; os: string; architecture: string }>,
    format?: 'docker' | 'oci',
  ): Promise<{ ref: string; digest: string }>;
  stop(): Promise<void>;
  stderr(): string;
}

/** A layer of `size` deterministic bytes: the same seed gives the same digest (a shared layer). */
export function layerBlob(seed: string, size: number): LayerBlob {
  const chunks: Buffer[] = [];
  let block = createHash('sha256').update(seed).digest();
  let length = 0;
  while (length < size) {
    chunks.push(block);
    length += block.length;
    block = createHash('sha256').update(block).digest();
  }
  const content = Buffer.concat(chunks).subarray(0, size);
  return { digest: sha256(content), size, content };
}

const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

const SERVICE = 'ami-bot-test-registry';
const ISSUER = 'ami-bot-test-token-issuer';

export async function startTestRegistry(options: TestRegistryOptions = {}): Promise<TestRegistry> {
  const auth = options.auth ?? 'anonymous';
  const users = options.users ?? [];
  const pusher = users[0];
  if (auth !== 'anonymous' && !pusher) throw new Error(`${auth} auth needs at least one user (the tests push as it)`);
  const binary = await ensureRegistryBinary();
  const dir = await mkdtemp(join(tmpdir(), 'registry-'));
  const port = await getFreePort();
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  const tokens = auth === 'token' ? await startTokenServer(users, options.anonymousPull ?? false) : undefined;

  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: 'error', accesslog: { disabled: true } },
    storage: { inmemory: {}, delete: { enabled: true } },
    http: { addr: host, secret: randomBytes(16).toString('hex') },
  };
  if (auth === 'htpasswd') {
    const lines = await Promise.all(users.map((user) => htpasswdLine(binary, user)));
    await writeFile(join(dir, 'htpasswd'), `${lines.join('\n')}\n`);
    config.auth = { htpasswd: { realm: 'ami-bot-test', path: join(dir, 'htpasswd') } };
  }
  if (tokens) {
    await writeFile(join(dir, 'jwks.json'), JSON.stringify({ keys: [tokens.jwk] }));
    config.auth = {
      token: {
        realm: `${tokens.url}/token`,
        service: SERVICE,
        issuer: ISSUER,
        jwks: join(dir, 'jwks.json'),
        signingalgorithms: ['ES256'],
      },
    };
  }
  // YAML is a superset of JSON.
  await writeFile(join(dir, 'config.yml'), JSON.stringify(config));

  // stdin stays a pipe and is never closed by us: the registry is killed on stop.
  const child = spawn(binary, ['serve', join(dir, 'config.yml')], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderrTail = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-8192);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const cleanup = async () => {
    await stopProcess(child, exited);
    await tokens?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ready = waitForHttp(`${url}/v2/`, 30_000);
    const early = exited.then((code) => {
      throw new Error(`the test registry exited with ${code} before answering: ${stderrTail.trim()}`);
    });
    await Promise.race([ready, early]);
    early.catch(() => {});
  } catch (error) {
    await cleanup();
    throw error;
  }

  const authorization = async (repository: string): Promise<Record<string, string>> => {
    if (auth === 'anonymous' || !pusher) return {};
    if (auth === 'htpasswd') return { authorization: basic(pusher) };
    const scope = `repository:${repository}:pull,push`;
    const res = await fetch(`${tokens!.url}/token?service=${SERVICE}&scope=${encodeURIComponent(scope)}`, {
      headers: { authorization: basic(pusher) },
    });
    const body = (await res.json()) as { token: string };
    return { authorization: `Bearer ${body.token}` };
  };

  const pushBlob = async (repository: string, content: Buffer, headers: Record<string, string>) => {
    const digest = sha256(content);
    const head = await fetch(`${url}/v2/${repository}/blobs/${digest}`, { method: 'HEAD', headers });
    if (head.status === 200) return digest;
    const start = await fetch(`${url}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers });
    if (start.status !== 202) throw new Error(`blob upload start: ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get('location')!, url);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(content),
    });
    if (put.status !== 201) throw new Error(`blob upload: ${put.status} ${await put.text()}`);
    return digest;
  };

  const putManifest = async (repository: string, reference: string, mediaType: string, body: string) => {
    const res = await fetch(`${url}/v2/${repository}/manifests/${reference}`, {
      method: 'PUT',
      headers: { ...(await authorization(repository)), 'content-type': mediaType },
      body,
    });
    if (res.status !== 201)
      throw new Error(`manifest PUT ${repository}:${reference}: ${res.status} ${await res.text()}`);
    return sha256(body);
  };

  return {
    host,
    url,
    auth,
    tokenRequests: () => tokens?.requests() ?? 0,
    async pushImage(repository, tag, layers, opts = {}) {
      const oci = opts.format === 'oci';
      const headers = await authorization(repository);
      const layerType = oci ? MEDIA.ociLayer : MEDIA.dockerLayer;
      for (const layer of layers) await pushBlob(repository, layer.content, headers);
      const configJson = JSON.stringify({
        architecture: opts.architecture ?? 'amd64',
        os: opts.os ?? 'linux',
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
        config: {},
      });
      const configDigest = await pushBlob(repository, Buffer.from(configJson), headers);
      const config = {
        mediaType: oci ? MEDIA.ociConfig : MEDIA.dockerConfig,
        digest: configDigest,
        size: Buffer.byteLength(configJson),
      };
      const descriptors = layers.map((l) => ({ mediaType: layerType, digest: l.digest, size: l.size }));
      const mediaType = oci ? MEDIA.ociManifest : MEDIA.dockerManifest;
      const manifest = JSON.stringify({ schemaVersion: 2, mediaType, config, layers: descriptors });
      const digest = await putManifest(repository, tag, mediaType, manifest);
      return { ref: `${host}/${repository}:${tag}`, digest, mediaType, config, layers: descriptors };
    },
    async pushIndex(repository, tag, entries, format = 'oci') {
      const mediaType = format === 'oci' ? MEDIA.ociIndex : MEDIA.dockerList;
      const manifests = entries.map((entry) => ({
        mediaType: entry.image.mediaType,
        digest: entry.image.digest,
        size: 0,
        platform: { os: entry.os, architecture: entry.architecture },
      }));
      // Each child's size is its manifest's bytes: re-read them so the index is exactly what a registry serves.
      for (const m of manifests) {
        const res = await fetch(`${url}/v2/${repository}/manifests/${m.digest}`, {
          headers: { ...(await authorization(repository)), accept: m.mediaType },
        });
        m.size = (await res.arrayBuffer()).byteLength;
      }
      const digest = await putManifest(
        repository,
        tag,
        mediaType,
        JSON.stringify({ schemaVersion: 2, mediaType, manifests }),
      );
      return { ref: `${host}/${repository}:${tag}`, digest };
    },
    stop: cleanup,
    stderr: () => stderrTail,
  };
}

const basic = (user: RegistryUser) => `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;

async function htpasswdLine(binary: string, user: RegistryUser): Promise<string> {
  const child = execFileP(binary, ['htpasswd', user.username]);
  child.child.stdin!.end(`${user.password}\n`);
  return (await child).stdout.trim();
}

interface TokenServer {
  url: string;
  jwk: Record<string, unknown>;
  requests(): number;
  close(): Promise<void>;
}

/**
 * The registry's token auth as Docker Hub and Harbor speak it: GET /token?service=…&scope=repository:<name>:<actions>
 * with optional basic auth; answers `{token, access_token, expires_in}` with an ES256 JWT whose `access` claim
 * grants the asked actions (pull only for anonymous callers, when allowed; 401 for a wrong password).
 */
async function startTokenServer(users: RegistryUser[], anonymousPull: boolean): Promise<TokenServer> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomBytes(8).toString('hex');
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests += 1;
    const query = new URL(req.url ?? '/', 'http://token').searchParams;
    const header = req.headers.authorization ?? '';
    const user = header.startsWith('Basic ') ? users.find((u) => basic(u) === header) : undefined;
    if (header && !user) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"incorrect username or password"}');
      return;
    }
    if (!user && !anonymousPull) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"authentication required"}');
      return;
    }
    const access = query.getAll('scope').flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      if (type !== 'repository' || !name || !actions) return [];
      const asked = actions.split(',');
      return [{ type, name, actions: user ? asked : asked.filter((a) => a === 'pull') }];
    });
    const token = jwt(privateKey, kid, {
      iss: ISSUER,
      sub: user?.username ?? '',
      aud: query.get('service') ?? '',
      access,
    });
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    jwk,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function jwt(key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = { ...claims, iat: now, nbf: now - 5, exp: now + 300, jti: randomBytes(8).toString('hex') };
  const input = `${b64({ alg: 'ES256', typ: 'JWT', kid })}.${b64(body)}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

async function stopProcess(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await settlesWithin(exited, 3_000)) return;
  child.kill('SIGKILL');
  await exited;
}
