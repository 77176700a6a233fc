// CI entry point (`npx tsx test/support/install-moto.ts`): installs the test venv (moto for the EC2 contract tests,
// slack-sdk for the Block Kit check) ahead of them, through the same venv, stamp and lock the tests use
// (test/support/moto.ts), and checks that both import.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ensureMoto } from './moto.js';

const started = Date.now();
try {
  const python = await ensureMoto();
  const probe = 'import moto, slack_sdk.version as s; print(f"moto {moto.__version__}, slack-sdk {s.__version__}")';
  const { stdout } = await promisify(execFile)(python, ['-c', probe], { timeout: 60_000 });
  console.log(`test venv ready (${stdout.trim()}): ${python} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
