// Builds a test peer from a Go wrapper module under test/ (test/ferretdb, test/registry) into .cache/<name>/, once:
// the binary's name carries a hash of the module's sources, so an edit forces a rebuild and a cached one is reused
// by every vitest worker and CI phase.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { withLock } from './file-lock.js';
import { exists } from './settle.js';

const execFileP = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface GoBinarySpec {
  /** Folder name under test/ and .cache/, and the binary's name prefix. */
  name: string;
  /** The files whose content keys the cache. */
  sourceFiles: readonly string[];
  /** Said when Go is missing or too old. */
  goMissingMessage: string;
  /** The oldest Go 1.x minor version the module builds with (its go.mod's `go` line); default 22. */
  minGoMinor?: number;
}

const sourceDir = (spec: GoBinarySpec) => join(REPO_ROOT, 'test', spec.name);
const cacheDir = (spec: GoBinarySpec) => join(REPO_ROOT, '.cache', spec.name);

/** The cached binary path for the current sources. */
export async function goBinaryPath(spec: GoBinarySpec): Promise<string> {
  const hash = createHash('sha256');
  for (const name of spec.sourceFiles) {
    hash.update(`${name}\0`);
    hash.update(await readFile(join(sourceDir(spec), name)));
    hash.update('\0');
  }
  return join(cacheDir(spec), `${spec.name}-test-${hash.digest('hex').slice(0, 16)}`);
}

/** Returns the binary path, building it first if needed (minutes with a cold Go cache, from the Go module proxy). */
export async function ensureGoBinary(spec: GoBinarySpec): Promise<string> {
  const binary = await goBinaryPath(spec);
  if (await exists(binary)) return binary;
  await mkdir(cacheDir(spec), { recursive: true });
  // The lock stops concurrent callers from building twice; the atomic rename alone keeps the binary whole.
  return withLock(`${binary}.lock`, async () => {
    if (await exists(binary)) return binary;
    await checkGo(spec.goMissingMessage, spec.minGoMinor ?? 22);
    const tmp = `${binary}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await execFileP('go', ['build', '-trimpath', '-buildvcs=false', '-o', tmp, '.'], {
        // Pure-Go modules: no C compiler needed (Go disables cgo by itself when none is found).
        cwd: sourceDir(spec),
        timeout: 15 * 60_000,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (err) {
      await rm(tmp, { force: true });
      const stderr = (err as { stderr?: string }).stderr?.trim();
      throw new Error(`building the ${spec.name} test server failed: ${stderr || String(err)}`);
    }
    await rename(tmp, binary);
    await pruneOldBinaries(spec, binary);
    return binary;
  });
}

async function checkGo(message: string, minMinor: number): Promise<void> {
  let version: string;
  try {
    version = (await execFileP('go', ['env', 'GOVERSION'])).stdout.trim();
  } catch {
    throw new Error(message);
  }
  const m = /^go(\d+)\.(\d+)/.exec(version);
  if (!m || Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < minMinor)) throw new Error(message);
}

async function pruneOldBinaries(spec: GoBinarySpec, keep: string): Promise<void> {
  const pattern = new RegExp(`^${spec.name}-test-[0-9a-f]+$`);
  for (const name of await readdir(cacheDir(spec))) {
    const path = join(cacheDir(spec), name);
    if (pattern.test(name) && path !== keep) await rm(path, { force: true });
  }
}
