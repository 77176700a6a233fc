// Builds and runs the FerretDB test server (test/ferretdb, a Go wrapper around FerretDB v1.24.2's embeddable
// package), so tests talk to a real MongoDB-wire-protocol peer without internet. Its backend is PostgreSQL (a
// throwaway cluster, test/support/postgres.ts) or SQLite: AMIBOT_TEST_FERRETDB_BACKEND picks one (see ferretDbBackend).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureGoBinary, type GoBinarySpec, goBinaryPath } from './go-binary.js';
import { waitForListening } from './listening-child.js';
import { type PostgresCluster, postgresBinDir, startPostgres } from './postgres.js';
import { settlesWithin } from './settle.js';

export { REPO_ROOT } from './go-binary.js';

export const GO_MISSING_MESSAGE =
  'FerretDB test server needs Go >= 1.22 on PATH (apt-get install golang or https://go.dev/dl), ' +
  'or set MONGODB_TEST_URI to a MongoDB server';

const FERRETDB: GoBinarySpec = {
  name: 'ferretdb',
  sourceFiles: ['main.go', 'write_gate.go', 'go.mod', 'go.sum'],
  goMissingMessage: GO_MISSING_MESSAGE,
};

/** The cached binary path; its name carries a hash of the wrapper's sources so edits force a rebuild. */
export const ferretDbBinaryPath = (): Promise<string> => goBinaryPath(FERRETDB);

/** Returns the binary path, building it first if needed (the first build takes ~90 s with a cold Go cache). */
export const ensureFerretDbBinary = (): Promise<string> => ensureGoBinary(FERRETDB);

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
    uri = await waitForListening(child, 'FerretDB', () => stderrTail);
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

async function stopProcess(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin!.end();
  if (await settlesWithin(exited, 5_000)) return;
  child.kill('SIGTERM');
  if (await settlesWithin(exited, 3_000)) return;
  child.kill('SIGKILL');
  await exited;
}
