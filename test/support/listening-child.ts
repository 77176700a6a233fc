import type { ChildProcess } from 'node:child_process';

/**
 * What a test peer we spawn (FerretDB, moto) prints after `LISTENING ` on stdout: its address. Rejects when the
 * peer exits first or says nothing within 30 s, with `name` and the peer's stderr so the failure says why.
 */
export function waitForListening(child: ChildProcess, name: string, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s: ${stderr().trim()}`)), 30_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
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
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before listening: ${stderr().trim()}`));
    });
  });
}
