// docs/mongodb-roles.js (the mongosh script of docs/MONGODB.md) run against a stub `db`, and the role it
// creates checked against what the bot really does on Domino's database: the Domino adapters are driven
// through a recording Db, every collection method they call is mapped to its MongoDB privilege action, and
// each one must be granted by the role. Anything the role grants beyond that fails too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import type { Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createMongoDominoTiers } from '../../src/adapters/mongo/domino-tiers.js';
import { createMongoTierUsers } from '../../src/adapters/mongo/tier-users.js';
import { configSchema } from '../../src/config-schema.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = readFileSync(join(ROOT, 'docs', 'mongodb-roles.js'), 'utf8');

interface Privilege {
  resource: { db: string; collection: string };
  actions: string[];
}
interface RoleSpec {
  role?: string;
  privileges: Privilege[];
  roles: Array<{ role: string; db: string }>;
}
interface UserSpec {
  user?: string;
  pwd?: string;
  roles: Array<{ role: string; db: string }>;
}

/** Runs the mongosh script with a stub of the `db` global; `existing` simulates a second run. */
function runScript(existing: boolean) {
  const calls: Array<{ method: string; args: unknown[] }> = [];
  const record =
    (method: string, result?: unknown) =>
    (...args: unknown[]) => {
      calls.push({ method, args });
      return result;
    };
  const admin = {
    getRole: record('getRole', existing ? { role: 'amiBot' } : null),
    getUser: record('getUser', existing ? { user: 'ami-bot' } : null),
    createRole: record('createRole'),
    updateRole: record('updateRole'),
    createUser: record('createUser'),
    updateUser: record('updateUser'),
  };
  const output: string[] = [];
  runInNewContext(SCRIPT, {
    db: { getSiblingDB: (name: string) => (name === 'admin' ? admin : undefined) },
    print: (line: string) => output.push(line),
    passwordPrompt: () => 'typed-password',
    process: { env: {} },
  });
  return { calls, output };
}

const defaults = configSchema.parse({
  slack: { botToken: 'xoxb-test' },
  mongo: {},
  opsChannels: ['C0OPS00001'],
  admins: ['U0ADMIN01'],
  deployments: [{ name: 'prod' }],
});

/** Which privilege action a collection method needs (MongoDB's "Privilege Actions" reference). */
function privilegeActions(method: string, args: unknown[]): string[] {
  switch (method) {
    case 'find':
    case 'findOne':
    case 'countDocuments':
    case 'estimatedDocumentCount':
    case 'distinct':
      return ['find'];
    case 'aggregate': {
      const stages = (args[0] as Array<Record<string, unknown>>).map((stage) => Object.keys(stage)[0]);
      if (stages.some((stage) => stage === '$out' || stage === '$merge')) throw new Error('aggregate writes');
      return ['find'];
    }
    case 'updateOne':
    case 'updateMany':
    case 'replaceOne':
      return ['update'];
    case 'bulkWrite':
      return (args[0] as Array<Record<string, unknown>>).map((op) => {
        const kind = Object.keys(op)[0];
        if (kind === 'updateOne' || kind === 'updateMany' || kind === 'replaceOne') return 'update';
        if (kind === 'insertOne') return 'insert';
        return 'remove';
      });
    case 'insertOne':
    case 'insertMany':
      return ['insert'];
    case 'deleteOne':
    case 'deleteMany':
      return ['remove'];
    default:
      throw new Error(`no privilege mapping for collection method ${method}: add it to privilegeActions`);
  }
}

interface Operation {
  db: string;
  collection: string;
  method: string;
  actions: string[];
}

/** A Db whose collections record every method called on them and answer with empty results. */
function recordingDb(name: string, operations: Operation[]): Db {
  const cursor = () => {
    const c: Record<string, unknown> = { toArray: async () => [] };
    for (const chain of ['project', 'sort', 'limit', 'skip']) c[chain] = () => c;
    return c;
  };
  const collection = (collectionName: string) =>
    new Proxy(
      {},
      {
        get: (_target, method) => {
          if (typeof method !== 'string') return undefined;
          return (...args: unknown[]) => {
            const actions = [...new Set(privilegeActions(method, args))];
            operations.push({ db: name, collection: collectionName, method, actions });
            if (method === 'find' || method === 'aggregate') return cursor();
            return Promise.resolve(method === 'findOne' ? null : { matchedCount: 0, modifiedCount: 0 });
          };
        },
      },
    );
  return { databaseName: name, collection } as unknown as Db;
}

async function dominoOperations(): Promise<Operation[]> {
  const operations: Operation[] = [];
  const db = recordingDb(defaults.mongo.dominoDatabase, operations);
  const tiers = createMongoDominoTiers({ db, collection: defaults.mongo.tierCollection, labelField: 'name' });
  await tiers.listTiers();
  await tiers.applyImageUpdates([
    { id: '5f0c0ffee0000000000000aa', idType: 'objectId', from: 'ami-old', to: 'ami-new' },
    { id: 'gpu-tier', idType: 'string', from: 'ami-old', to: 'ami-new' },
  ]);
  const clock = { now: () => new Date('2026-11-28T00:00:00Z') } as Parameters<typeof createMongoTierUsers>[0]['clock'];
  const users = createMongoTierUsers({ db, clock, ...defaults.domino.tierUsers });
  await users.usersByTier(['5f0c0ffee0000000000000aa', 'gpu-tier']);
  return operations;
}

describe('docs/mongodb-roles.js', () => {
  const first = runScript(false);
  const role = first.calls.find((c) => c.method === 'createRole')?.args[0] as RoleSpec;
  const user = first.calls.find((c) => c.method === 'createUser')?.args[0] as UserSpec;

  it('creates the role amiBot and the user ami-bot holding only that role', () => {
    expect(role.role).toBe('amiBot');
    expect(user).toEqual({ user: 'ami-bot', pwd: 'typed-password', roles: [{ role: 'amiBot', db: 'admin' }] });
  });

  it('grants find+update on the tier collection, find on the tier-user runs, readWrite on ami_bot', () => {
    expect(role.privileges).toEqual([
      { resource: { db: 'domino', collection: 'executor_group_configuration' }, actions: ['find', 'update'] },
      { resource: { db: 'domino', collection: 'runs' }, actions: ['find'] },
    ]);
    expect(role.roles).toEqual([{ role: 'readWrite', db: 'ami_bot' }]);
  });

  it('names the configuration defaults', () => {
    expect(defaults.mongo.dominoDatabase).toBe('domino');
    expect(defaults.mongo.tierCollection).toBe('executor_group_configuration');
    expect(defaults.domino.tierUsers.collection).toBe('runs');
    expect(defaults.mongo.stateDatabase).toBe('ami_bot');
  });

  it('is idempotent: a second run updates the role and resets the user roles, keeping the password', () => {
    const second = runScript(true);
    const methods = second.calls.map((c) => c.method);
    expect(methods).toEqual(['getRole', 'updateRole', 'getUser', 'updateUser']);
    const [name, updated] = second.calls[1]!.args as [string, RoleSpec];
    expect(name).toBe('amiBot');
    expect(updated.privileges).toEqual(role.privileges);
    expect(second.calls[3]!.args).toEqual(['ami-bot', { roles: [{ role: 'amiBot', db: 'admin' }] }]);
  });

  it("covers every operation the bot performs on Domino's database, and grants no more", async () => {
    const operations = await dominoOperations();
    const granted = new Set(
      role.privileges.flatMap((p) => p.actions.map((a) => `${p.resource.db}.${p.resource.collection}:${a}`)),
    );
    const needed = new Set(operations.flatMap((op) => op.actions.map((a) => `${op.db}.${op.collection}:${a}`)));
    for (const need of needed) expect(granted, `the role lacks ${need}`).toContain(need);
    expect([...granted].sort()).toEqual([...needed].sort());
    // The only write is an update of executor_group_configuration: never insert, remove or another collection.
    const writes = operations.filter((op) => op.actions.some((a) => a !== 'find'));
    expect(new Set(writes.map((op) => `${op.collection}:${op.actions.join(',')}`))).toEqual(
      new Set(['executor_group_configuration:update']),
    );
  });
});
