// CI entry point (`npx tsx test/support/build-ferretdb.ts`): builds the FerretDB test binary ahead of the tests,
// through the same cache-key logic the vitest globalSetup uses.
import { ensureFerretDbBinary, ferretDbBackend } from './ferretdb.js';

const started = Date.now();
try {
  const binary = await ensureFerretDbBinary();
  console.log(`FerretDB test server ready: ${binary} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`FerretDB backend for the tests: ${await ferretDbBackend()}`);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
