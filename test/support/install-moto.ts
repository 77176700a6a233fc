// CI entry point (`npx tsx test/support/install-moto.ts`): installs moto for the EC2 contract tests ahead of them,
// through the same venv, stamp and lock the tests use (test/support/moto.ts).
import { ensureMoto } from './moto.js';

const started = Date.now();
try {
  const python = await ensureMoto();
  console.log(`moto ready: ${python} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
