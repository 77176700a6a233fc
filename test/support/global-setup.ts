// vitest globalSetup: one MongoDB-wire server for the whole run, published to test files as inject('mongoUri').
import { readFileSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { type FerretDbServer, startFerretDb } from './ferretdb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Server URI without a database; each test file picks its own database (see useTestDatabase). */
    mongoUri: string;
  }
}

let server: FerretDbServer | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  warnIfNotPinnedNode();
  const external = process.env.MONGODB_TEST_URI;
  if (external) {
    project.provide('mongoUri', external);
    return async () => {};
  }
  const started = Date.now();
  server = await startFerretDb();
  // One line per run, so a log says which peer the MongoDB tests ran on and what its start-up cost.
  console.log(`MongoDB test peer: FerretDB on ${server.backend} (${Date.now() - started} ms to start)`);
  project.provide('mongoUri', server.uri);
  return async () => {
    await server?.stop();
    server = undefined;
  };
}

/** CI runs on the Node in .node-version; a run on another one still goes on, with one line saying so. */
function warnIfNotPinnedNode(): void {
  const pinned = `v${readFileSync(new URL('../../.node-version', import.meta.url), 'utf8').trim()}`;
  if (process.version === pinned) return;
  console.warn(
    `note: these tests run on Node ${process.version}; CI uses ${pinned} (.node-version). ` +
      'For the same: export PATH="$(scripts/setup-node.sh):$PATH"',
  );
}
