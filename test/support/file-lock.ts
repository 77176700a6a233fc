// A lock file shared by processes (vitest workers, CI phases) that build or install a cached test tool once.
import { open, readFile, rm, stat } from 'node:fs/promises';

/** Runs `fn` while holding `lockPath` (created exclusively); a lock left by a dead process is taken over. */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>, waitMs = 20 * 60_000): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fh = await open(lockPath, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await lockIsStale(lockPath)) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockPath}`);
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}

/** A lock is stale when its owner process is gone (a crashed or killed build). */
async function lockIsStale(lockPath: string): Promise<boolean> {
  try {
    const pid = Number.parseInt(await readFile(lockPath, 'utf8'), 10);
    if (Number.isNaN(pid)) return Date.now() - (await stat(lockPath)).mtimeMs > 30_000;
    process.kill(pid, 0);
    return false;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ESRCH' || code === 'ENOENT';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
