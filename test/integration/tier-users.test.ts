import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createMongoTierUsers, type MongoTierUsersOptions } from '../../src/adapters/mongo/tier-users.js';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { useTestDatabase } from '../support/mongo.js';

const db = useTestDatabase('tierusers');
const now = new Date('2026-11-28T10:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

/** Domino's runs as most deployments map them (90 days of `runs`); a test overrides what it is about. */
const runsTierUsers = (fields: Partial<MongoTierUsersOptions> = {}) =>
  createMongoTierUsers({
    db: db.db,
    clock: createManualClock(now),
    collection: 'runs',
    tierField: 'hardwareTierId',
    emailField: 'starterEmail',
    timeField: 'submissionTime',
    lookbackDays: 90,
    environmentField: 'environmentId',
    ...fields,
  });

describe('MongoDB tier users (FerretDB-compatible aggregation)', () => {
  it('gives the distinct recent emails per tier, for string and ObjectId tier ids, within the look-back', async () => {
    const gpu = new ObjectId();
    await db.db.collection('runs').insertMany([
      { hardwareTierId: 'small', starterEmail: 'Ana@Acme.example', submissionTime: daysAgo(1) },
      { hardwareTierId: 'small', starterEmail: 'ana@acme.example', submissionTime: daysAgo(2) },
      { hardwareTierId: 'small', starterEmail: 'ben@acme.example', submissionTime: daysAgo(89) },
      { hardwareTierId: 'small', starterEmail: 'old@acme.example', submissionTime: daysAgo(91) },
      { hardwareTierId: 'small', starterEmail: 'not an email', submissionTime: daysAgo(1) },
      { hardwareTierId: 'small', submissionTime: daysAgo(1) },
      { hardwareTierId: gpu, starterEmail: 'lena@acme.example', submissionTime: daysAgo(3) },
      { hardwareTierId: 'other', starterEmail: 'zed@acme.example', submissionTime: daysAgo(3) },
    ]);
    const port = runsTierUsers();
    const users = await port.usersByTier(['small', gpu.toHexString(), 'unused']);
    expect(users.get('small')?.sort()).toEqual(['ana@acme.example', 'ben@acme.example']);
    expect(users.get(gpu.toHexString())).toEqual(['lena@acme.example']);
    expect(users.get('unused')).toEqual([]);
    expect(users.has('other')).toBe(false);
  });

  it('honours configured field names (nested) and answers an empty request without a query', async () => {
    await db.db.collection('executions').insertMany([
      { tier: { id: 'medium' }, user: { email: 'chen@acme.example' }, at: daysAgo(1) },
      { tier: { id: 'medium' }, user: { email: 'greg@acme.example' }, at: daysAgo(10) },
    ]);
    const port = createMongoTierUsers({
      db: db.db,
      clock: createManualClock(now),
      collection: 'executions',
      tierField: 'tier.id',
      emailField: 'user.email',
      timeField: 'at',
      lookbackDays: 7,
      environmentField: 'environmentId',
    });
    expect((await port.usersByTier(['medium'])).get('medium')).toEqual(['chen@acme.example']);
    expect((await port.usersByTier([])).size).toBe(0);
  });

  it('counts recent runs per environment (and image, when runs record it) for the review report', async () => {
    await db.db
      .collection('envruns')
      .insertMany([
        { environmentId: 'env-standard', image: 'quay.io/domino/standard:1', submissionTime: daysAgo(1) },
        { environmentId: 'env-standard', image: 'quay.io/domino/standard:1', submissionTime: daysAgo(5) },
        { environmentId: 'env-spark', image: 'quay.io/domino/spark:3', submissionTime: daysAgo(2) },
        { environmentId: 'env-ancient', image: 'quay.io/domino/old:0', submissionTime: daysAgo(200) },
        { submissionTime: daysAgo(1) },
      ]);
    const port = runsTierUsers({ collection: 'envruns', imageField: 'image' });
    expect(await port.environmentsInUse?.()).toEqual([
      { environment: 'env-standard', image: 'quay.io/domino/standard:1', runs: 2 },
      { environment: 'env-spark', image: 'quay.io/domino/spark:3', runs: 1 },
    ]);
  });
});

describe('MongoDB image usage (image selection)', () => {
  it('counts runs and distinct users per image and tier within the window, ignoring runs without an image', async () => {
    const gpu = new ObjectId();
    const run = (image: string | undefined, tier: unknown, email: string | undefined, days: number) => ({
      ...(image === undefined ? {} : { environmentImage: image }),
      hardwareTierId: tier,
      ...(email === undefined ? {} : { starterEmail: email }),
      submissionTime: daysAgo(days),
      // A run document carries much more; the query projects it away.
      command: 'python train.py',
      environmentId: 'env-1',
    });
    await db.db
      .collection('usage_runs')
      .insertMany([
        run('quay.io/acme/py:3', 'small', 'Ana@Acme.example', 1),
        run('quay.io/acme/py:3', 'small', 'ana@acme.example', 2),
        run('quay.io/acme/py:3', 'small', 'ben@acme.example', 13),
        run('quay.io/acme/py:3', gpu, 'ana@acme.example', 3),
        run('quay.io/acme/py:3', 'small', 'late@acme.example', 15),
        run('quay.io/acme/r:4', 'large', 'chen@acme.example', 5),
        run('quay.io/acme/r:4', 'large', undefined, 6),
        run(undefined, 'small', 'dan@acme.example', 1),
      ]);
    const port = runsTierUsers({ collection: 'usage_runs', imageField: 'environmentImage' });
    expect(await port.imageUsage!(14)).toEqual([
      {
        image: 'quay.io/acme/py:3',
        runs: 4,
        users: 2,
        tiers: [
          { tier: 'small', runs: 3, users: 2 },
          { tier: gpu.toHexString(), runs: 1, users: 1 },
        ],
      },
      { image: 'quay.io/acme/r:4', runs: 2, users: 1, tiers: [{ tier: 'large', runs: 2, users: 1 }] },
    ]);
  });

  it('has no image usage when the runs record no image field', () => {
    const port = runsTierUsers();
    expect(port.imageUsage).toBeUndefined();
  });
});
