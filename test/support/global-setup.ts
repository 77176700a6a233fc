// vitest globalSetup: one MongoDB-wire server for the whole run, published to test files as inject('mongoUri').
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
  const external = process.env.MONGODB_TEST_URI;
  if (external) {
    project.provide('mongoUri', external);
    return async () => {};
  }
  server = await startFerretDb();
  project.provide('mongoUri', server.uri);
  return async () => {
    await server?.stop();
    server = undefined;
  };
}
