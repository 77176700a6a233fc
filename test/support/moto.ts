// moto's EC2 server (PyPI `moto`, pinned in test/moto/requirements.txt) as a real EC2 API peer for the EC2 port
// contract: installed once into a project-local venv under .cache/moto (a lock keeps parallel workers and the CI
// phase from installing twice; a stamp file holding the requirements marks a finished install), then one server
// per test file on a free loopback port, which exits when its stdin closes (test/moto/server.py).
import { execFile, spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './ferretdb.js';
import { withLock } from './file-lock.js';
import { waitForListening } from './listening-child.js';

const execFileP = promisify(execFile);

const REQUIREMENTS = join(REPO_ROOT, 'test', 'moto', 'requirements.txt');
const SERVER_SCRIPT = join(REPO_ROOT, 'test', 'moto', 'server.py');
const CACHE_DIR = join(REPO_ROOT, '.cache', 'moto');
const VENV = join(CACHE_DIR, 'venv');
const STAMP = join(VENV, '.requirements');
const VENV_PYTHON = join(VENV, 'bin', 'python');

export const PYTHON_MISSING_MESSAGE =
  'moto (EC2 contract tests) needs Python >= 3.10 with venv and pip as python3 on PATH (apt-get install python3 python3-venv)';

/** Returns the venv's python, creating the venv and installing moto first if needed (~25 s the first time). */
export async function ensureMoto(): Promise<string> {
  const wanted = await readFile(REQUIREMENTS, 'utf8');
  if ((await readText(STAMP)) === wanted) return VENV_PYTHON;
  await mkdir(CACHE_DIR, { recursive: true });
  return withLock(join(CACHE_DIR, 'install.lock'), async () => {
    if ((await readText(STAMP)) === wanted) return VENV_PYTHON;
    await checkPython();
    await rm(VENV, { recursive: true, force: true });
    try {
      await execFileP('python3', ['-m', 'venv', VENV], { timeout: 120_000 });
      const pip = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input'];
      await execFileP(VENV_PYTHON, [...pip, '-r', REQUIREMENTS], { timeout: 10 * 60_000, maxBuffer: 16 << 20 });
    } catch (err) {
      await rm(VENV, { recursive: true, force: true });
      const stderr = ((err as { stderr?: string }).stderr ?? '').trim().split('\n').pop();
      throw new Error(`installing moto into ${VENV} failed: ${stderr || String(err)}`);
    }
    // Written last: a half-finished install (killed, no network) is never mistaken for a good one.
    await writeFile(STAMP, wanted);
    return VENV_PYTHON;
  });
}

async function checkPython(): Promise<void> {
  try {
    const probe = 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 10) else 1)';
    await execFileP('python3', ['-c', probe], { timeout: 30_000 });
  } catch {
    throw new Error(PYTHON_MISSING_MESSAGE);
  }
}

export interface MotoServer {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** Forgets every resource (POST /moto-api/reset): each test starts from moto's default account. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startMoto(): Promise<MotoServer> {
  const python = await ensureMoto();
  // stdin stays a pipe: server.py exits when it closes, so the server never outlives this process.
  const child = spawn(python, [SERVER_SCRIPT, '0'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4096);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let endpoint: string;
  try {
    endpoint = await waitForListening(child, 'moto', () => stderr);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }
  return {
    endpoint,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}
