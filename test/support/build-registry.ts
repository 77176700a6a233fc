// CI entry point (`npx tsx test/support/build-registry.ts`): builds the test registry (the CNCF distribution
// registry, test/registry) ahead of the tests, through the same cache key the tests' startTestRegistry uses.
import { ensureRegistryBinary } from './registry.js';

const started = Date.now();
try {
  const binary = await ensureRegistryBinary();
  console.log(`test registry ready: ${binary} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
