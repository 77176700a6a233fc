// Builds and runs the FerretDB test server (test/ferretdb, a Go wrapper around FerretDB v1.24.2's embeddable
// package), so tests talk to a real MongoDB-wire-protocol peer without internet. Its backend is PostgreSQL (a
// throwaway cluster, test/support/postgres.ts) or SQLite: AMIBOT_TEST_FERRETDB_BACKEND picks one (see ferretDbBackend).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { withLock } from './file-lock.js';
import { type PostgresCluster, postgresBinDir, startPostgres } from './postgres.js';
import { exists, settlesWithin } from './settle.js';

const execFileP = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE_DIR = join(REPO_ROOT, 'test', 'ferretdb');
const CACHE_DIR = join(REPO_ROOT, '.cache', 'ferretdb');
const SOURCE_FILES = ['main.go', 'write_gate.go', 'go.mod', 'go.sum'];

export const GO_MISSING_MESSAGE =
  'FerretDB test server needs Go >= 1.22 on PATH (apt-get install golang or https://go.dev/dl), ' +
  'or set MONGODB_TEST_URI to a MongoDB server';

/** The cached binary path; its name carries a hash of the wrapper's sources so edits force a rebuild. */
export async function ferretDbBinaryPath(): Promise<string> {
  const hash = createHash('sha256');
  for (const name of SOURCE_FILES) {
    hash.update(`${name}\0`);
    hash.update(await readFile(join(SOURCE_DIR, name)));
    hash.update('\0');
  }
  return join(CACHE_DIR, `ferretdb-test-${hash.digest('hex').slice(0, 16)}`);
}

/** Returns the binary path, building it first if needed (the first build takes ~90 s with a cold Go cache). */
export async function ensureFerretDbBinary(): Promise<string> {
  const binary = await ferretDbBinaryPath();
  if (await exists(binary)) return binary;
  await mkdir(CACHE_DIR, { recursive: true });
  // The lock stops concurrent callers from building twice; the atomic rename alone keeps the binary whole.
  return withLock(`${binary}.lock`, async () => {
    if (await exists(binary)) return binary;
    await checkGo();
    const tmp = `${binary}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await execFileP('go', ['build', '-trimpath', '-buildvcs=false', '-o', tmp, '.'], {
        // modernc.org/sqlite is pure Go: no C compiler needed (Go disables cgo by itself when none is found).
        cwd: SOURCE_DIR,
        timeout: 15 * 60_000,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (err) {
      await rm(tmp, { force: true });
      const stderr = (err as { stderr?: string }).stderr?.trim();
      throw new Error(`building the FerretDB test server failed: ${stderr || String(err)}`);
    }
    await rename(tmp, binary);
    await pruneOldBinaries(binary);
    return binary;
  });
}

async function checkGo(): Promise<void> {
  let version: string;
  try {
    version = (await execFileP('go', ['env', 'GOVERSION'])).stdout.trim();
  } catch {
    throw new Error(GO_MISSING_MESSAGE);
  }
  const m = /^go(\d+)\.(\d+)/.exec(version);
  if (!m || Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < 22)) throw new Error(GO_MISSING_MESSAGE);
}

async function pruneOldBinaries(keep: string): Promise<void> {
  for (const name of await readdir(CACHE_DIR)) {
    const path = join(CACHE_DIR, name);
    if (/^ferretdb-test-[0-9a-f]+$/.test(name) && path !== keep) await rm(path, { force: true });
  }
}

export type FerretDbBackend = 'postgresql' | 'sqlite';

const BACKEND_VARIABLE = 'AMIBOT_TEST_FERRETDB_BACKEND';

/**
 * The backend from AMIBOT_TEST_FERRETDB_BACKEND (`postgresql` or `sqlite`); unset: PostgreSQL when its server
 * binaries are installed, else SQLite. Test support only: the bot itself never reads this.
 */
export async function ferretDbBackend(): Promise<FerretDbBackend> {
  const chosen = process.env[BACKEND_VARIABLE];
  if (chosen === 'postgresql' || chosen === 'sqlite') return chosen;
  if (chosen) throw new Error(`${BACKEND_VARIABLE}=${chosen}: expected postgresql or sqlite`);
  return (await postgresBinDir()) ? 'postgresql' : 'sqlite';
}

export interface FerretDbOptions {
  /** Defaults to ferretDbBackend(). */
  backend?: FerretDbBackend;
  /**
   * The data: SQLite's files, or the PostgreSQL cluster (`data/`) and its socket. A fresh temp dir (removed on
   * stop) when omitted. Reuse one to restart on the same data.
   */
  dataDir?: string;
  /** Loopback port; 0 or omitted picks a free one. */
  port?: number;
  /** Log FerretDB's own messages to its stderr (kept in `stderr()`). */
  verbose?: boolean;
  /**
   * Run one write command at a time (test/ferretdb/write_gate.go), as MongoDB makes each single-document write
   * atomic where FerretDB 1.x loses concurrent updates of one document. On unless false (to measure FerretDB bare).
   */
  writeGate?: boolean;
}

export interface FerretDbServer {
  /** mongodb://127.0.0.1:<port>/ */
  readonly uri: string;
  readonly backend: FerretDbBackend;
  readonly port: number;
  readonly dataDir: string;
  readonly pid: number;
  /** Resolves with the exit code (or null after a signal) once the process has ended. */
  readonly exited: Promise<number | null>;
  /** Graceful stop; resolves once the process is gone. Removes the data dir only if startFerretDb created it. */
  stop(opts?: { keepData?: boolean }): Promise<void>;
  /** SIGKILL FerretDB now (a crash, for reliability tests); the data dir (and PostgreSQL) are left in place. */
  kill(): void;
  /** Stops FerretDB (keeping data) and starts a new process on the same data and port. */
  restart(): Promise<FerretDbServer>;
  /** The last few KB of the server's stderr, for diagnostics. */
  stderr(): string;
}

export async function startFerretDb(opts: FerretDbOptions = {}): Promise<FerretDbServer> {
  const backend = opts.backend ?? (await ferretDbBackend());
  const binary = await ensureFerretDbBinary();
  const ownsDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'ferretdb-')));
  try {
    const postgres = backend === 'postgresql' ? await startPostgres({ dir: dataDir }) : undefined;
    const store: Store = { backend, dataDir, postgres, ownsDir, writeGate: opts.writeGate ?? true };
    return await launch(binary, store, opts.port ?? 0, opts.verbose).catch(async (err: unknown) => {
      await postgres?.stop({ keepData: true });
      throw err;
    });
  } catch (err) {
    if (ownsDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** What a FerretDB process runs on; it outlives restarts of that process. */
interface Store {
  readonly backend: FerretDbBackend;
  readonly dataDir: string;
  /** The cluster behind the PostgreSQL backend, started and stopped with the server (not with each process). */
  readonly postgres: PostgresCluster | undefined;
  /** Whether startFerretDb made dataDir (then stop() removes it). */
  readonly ownsDir: boolean;
  readonly writeGate: boolean;
}

async function launch(
  binary: string,
  store: Store,
  requestedPort: number,
  verbose: boolean | undefined,
): Promise<FerretDbServer> {
  const args = ['-listen', `127.0.0.1:${requestedPort}`];
  args.push(...(store.postgres ? ['-postgresql-url', store.postgres.url] : ['-dir', store.dataDir]));
  if (verbose) args.push('-v');
  if (!store.writeGate) args.push('-write-gate=false');
  // stdin stays a pipe: the server exits when it closes, so it never outlives this process.
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderrTail = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-8192);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  let uri: string;
  try {
    uri = await waitForListening(child, exited, () => stderrTail);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }
  const port = Number(new URL(uri).port);

  const server: FerretDbServer = {
    uri,
    backend: store.backend,
    port,
    dataDir: store.dataDir,
    pid: child.pid!,
    exited,
    async stop({ keepData = false } = {}) {
      await stopProcess(child, exited);
      await store.postgres?.stop({ keepData: true });
      if (store.ownsDir && !keepData) await rm(store.dataDir, { recursive: true, force: true });
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    async restart() {
      await stopProcess(child, exited);
      // The new handle inherits the store, so its stop() still stops PostgreSQL and cleans up a temp data dir.
      return launch(binary, store, port, verbose);
    },
    stderr: () => (store.postgres ? `${stderrTail}\n--- PostgreSQL:\n${store.postgres.log()}` : stderrTail),
  };
  return server;
}

function waitForListening(child: ChildProcess, exited: Promise<number | null>, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`FerretDB did not start within 30 s: ${stderr()}`)), 30_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const m = /LISTENING (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`FerretDB exited with code ${code} before listening: ${stderr().trim()}`));
    });
  });
}

async function stopProcess(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin!.end();
  if (await settlesWithin(exited, 5_000)) return;
  child.kill('SIGTERM');
  if (await settlesWithin(exited, 3_000)) return;
  child.kill('SIGKILL');
  await exited;
}
