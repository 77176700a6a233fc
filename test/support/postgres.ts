// A throwaway PostgreSQL cluster for FerretDB's PostgreSQL backend (test/support/ferretdb.ts): initdb into a temp
// dir (trust auth, unix socket in that dir only, fsync off), then the server as a child of this process.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { appendFile, chown, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exists, settlesWithin } from './settle.js';

const execFileP = promisify(execFile);

/** Where Debian's and the PGDG packages put the server binaries (`postgresql-NN`); they are not on PATH. */
const DEBIAN_ROOT = '/usr/lib/postgresql';

/** The directory holding initdb and postgres, the newest installed major version first; undefined when none. */
export async function postgresBinDir(): Promise<string | undefined> {
  let versions: string[];
  try {
    versions = await readdir(DEBIAN_ROOT);
  } catch {
    versions = [];
  }
  const dirs = versions
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(DEBIAN_ROOT, version, 'bin'));
  for (const dir of [...dirs, ...(process.env.PATH ?? '').split(':').filter(Boolean)]) {
    if ((await exists(join(dir, 'initdb'))) && (await exists(join(dir, 'postgres')))) return dir;
  }
  return undefined;
}

export interface PostgresCluster {
  /** The temp dir: the cluster in `data/`, the server's socket beside it. */
  readonly dir: string;
  /** A connection string for FerretDB (pgx): the cluster's `postgres` database over the unix socket. */
  readonly url: string;
  /** Fast shutdown; removes the dir unless keepData. */
  stop(opts?: { keepData?: boolean }): Promise<void>;
  /** The last few KB of the server's log, for diagnostics. */
  log(): string;
}

/** Starts a cluster in `dir` (a fresh temp dir when omitted; an existing cluster there is reused as it is). */
export async function startPostgres(opts: { dir?: string } = {}): Promise<PostgresCluster> {
  const bin = await postgresBinDir();
  if (!bin) throw new Error(`no PostgreSQL server binaries (initdb, postgres) under ${DEBIAN_ROOT}/*/bin or on PATH`);
  const ownsDir = opts.dir === undefined;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'ferretdb-pg-')));
  try {
    const owner = await serverUser();
    if (owner) await chown(dir, owner.uid, owner.gid);
    const data = join(dir, 'data');
    if (!(await exists(join(data, 'PG_VERSION')))) await initdb(bin, data, dir, owner);
    const server = await launch(bin, data, owner);
    return {
      dir,
      url: `postgres://postgres@/postgres?host=${dir}`,
      async stop({ keepData = false } = {}) {
        await stopServer(server.child, server.exited);
        if (ownsDir && !keepData) await rm(dir, { recursive: true, force: true });
      },
      log: server.log,
    };
  } catch (err) {
    if (ownsDir) await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

interface ServerUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/**
 * PostgreSQL refuses to run as root (initdb and postgres both exit), and CI runs as root: then the cluster belongs
 * to the `postgres` user the server package creates (or `nobody`). Undefined when this process is not root.
 */
async function serverUser(): Promise<ServerUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8');
  for (const name of ['postgres', 'nobody']) {
    const line = passwd.split('\n').find((entry) => entry.startsWith(`${name}:`));
    const fields = line?.split(':');
    if (fields && fields.length > 3) return { name, uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error('running as root, and no postgres or nobody user to run PostgreSQL as (it refuses root)');
}

/**
 * The command line for a PostgreSQL binary: through setpriv, to drop root for the server user and to have the
 * kernel stop the process when this one dies (a killed test run leaves no server behind).
 */
function command(bin: string, tool: string, args: string[], owner: ServerUser | undefined): [string, string[]] {
  const user = owner ? [`--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--clear-groups'] : [];
  return ['setpriv', [...user, '--pdeathsig', 'INT', '--', join(bin, tool), ...args]];
}

async function initdb(bin: string, data: string, dir: string, owner: ServerUser | undefined): Promise<void> {
  const [file, args] = command(
    bin,
    'initdb',
    ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
    owner,
  );
  try {
    await execFileP(file, args, { cwd: dir, timeout: 120_000 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`initdb failed: ${stderr || String(err)}`);
  }
  // Throwaway data: no TCP (nothing to collide with), the socket in the temp dir, no durability work.
  await appendFile(
    join(data, 'postgresql.conf'),
    [
      '',
      "listen_addresses = ''",
      `unix_socket_directories = '${dir}'`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'max_connections = 200',
      '',
    ].join('\n'),
  );
}

async function launch(
  bin: string,
  data: string,
  owner: ServerUser | undefined,
): Promise<{ child: ChildProcess; exited: Promise<number | null>; log: () => string }> {
  const [file, args] = command(bin, 'postgres', ['-D', data], owner);
  const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start within 60 s: ${log}`)), 60_000);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      log = (log + chunk).slice(-8192);
      if (log.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited with code ${code} before it was ready: ${log.trim()}`));
    });
  }).catch(async (err: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw err;
  });
  return { child, exited, log: () => log };
}

/** SIGINT is PostgreSQL's fast shutdown (clients cut, a clean checkpoint); SIGQUIT, then SIGKILL, if it hangs. */
async function stopServer(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  for (const [signal, ms] of [
    ['SIGINT', 10_000],
    ['SIGQUIT', 5_000],
  ] as const) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    if (await settlesWithin(exited, ms)) return;
  }
  child.kill('SIGKILL');
  await exited;
}
