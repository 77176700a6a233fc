// The bot's indexes are created idempotently at start-up: several replicas opening the store at once on a
// fresh database, then another opening it again, all succeed, and `listIndexes` shows exactly the indexes
// documented in docs/MONGODB.md (whose table this test reads, so the document cannot drift from the code).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMongoStateStore } from '../../src/adapters/mongo/state-store.js';
import { listSourceFiles } from '../support/aws-sdk-usage.js';
import { mongoTestUri, useTestDatabase } from '../support/mongo.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOC = readFileSync(join(ROOT, 'docs', 'MONGODB.md'), 'utf8');

/** `| \`bakes\` | \`status_1_lease.until_1\` | … |` rows of the index table: collection → index names. */
function documentedIndexes(): Map<string, string[]> {
  const byCollection = new Map<string, string[]>();
  for (const [, collection, index] of DOC.matchAll(/^\| `([a-z_]+)` \| `([^`]+)` \|/gm)) {
    byCollection.set(collection!, [...(byCollection.get(collection!) ?? []), index!]);
  }
  return byCollection;
}

/** Collections the bot's own repositories name: `db.collection<…>('name'…)` in src/adapters/mongo. */
function collectionsInCode(): string[] {
  const domino = new Set(['domino-tiers.ts', 'tier-users.ts']);
  const names = new Set<string>();
  for (const file of listSourceFiles(join(ROOT, 'src', 'adapters', 'mongo'))) {
    if (domino.has(file.split('/').pop()!)) continue;
    for (const [, name] of readFileSync(file, 'utf8').matchAll(/\.collection(?:<[^>]*>)?\(\s*'([a-z_]+)'/g)) {
      names.add(name!);
    }
  }
  return [...names].sort();
}

describe("the bot's MongoDB indexes", () => {
  const database = useTestDatabase('indexes');
  const documented = documentedIndexes();
  let actual: Map<string, string[]>;

  beforeAll(async () => {
    // Two replicas of a first install start together; a third process (a rolling upgrade) comes later.
    const together = await Promise.all(
      [1, 2, 3].map(() => createMongoStateStore({ uri: mongoTestUri(), database: database.name })),
    );
    const later = await createMongoStateStore({ uri: mongoTestUri(), database: database.name });
    await Promise.all([...together, later].map((store) => store.close()));

    actual = new Map();
    for (const { name } of await database.db.listCollections().toArray()) {
      const indexes = await database.db.collection(name).listIndexes().toArray();
      actual.set(name, indexes.map((index) => String(index.name)).sort());
    }
  }, 60_000);

  it('are exactly the ones docs/MONGODB.md lists', () => {
    const secondary = (map: Map<string, string[]>) =>
      Object.fromEntries(
        [...map]
          .map(([collection, names]) => [collection, names.filter((n) => n !== '_id_').sort()] as const)
          .filter(([, names]) => names.length > 0)
          .sort(([a], [b]) => a.localeCompare(b)),
      );
    expect(secondary(actual)).toEqual(secondary(documented));
  });

  it('exist on every collection created at start-up, with the default _id index', () => {
    for (const [collection, names] of actual) {
      expect(names, collection).toContain('_id_');
      expect(documented.has(collection), `${collection} is not in docs/MONGODB.md`).toBe(true);
    }
  });

  it("cover every collection the bot's repositories use (docs/MONGODB.md names each one)", () => {
    expect(collectionsInCode()).toEqual([...documented.keys()].sort());
  });
});
