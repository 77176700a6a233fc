import type { Collection, Db } from 'mongodb';
import { type AmiTestRecord, type AmiTestStatus, isCancelAllowed } from '../../rollout/ami-test-record.js';
import type { AmiTestRepo } from '../../rollout/ami-test-repo.js';
import type { AuditEntry } from '../../rollout/audit-record.js';
import type { AuditRepo } from '../../rollout/audit-repo.js';
import type { NotificationRepo } from '../../rollout/notification-repo.js';
import { createMongoChangeRepo } from './change-repo.js';
import { foldLegacyTestCancels } from './legacy-cancels.js';
import { isDuplicateKey } from './lock-repo.js';

/**
 * AMI tests: written by the one process that runs the test, read by anyone. A cancel request is a guarded update
 * of the test (`isCancelAllowed` beside the record judges it; the filter repeats it), and the runner's progress is a
 * `$set` of its own fields: MongoDB applies each to the one document atomically, so neither undoes the other.
 */
export function createMongoAmiTestRepo(db: Db): AmiTestRepo & { ensureIndexes(): Promise<void> } {
  const tests: Collection<AmiTestRecord> = db.collection<AmiTestRecord>('ami_tests', { ignoreUndefined: true });
  const getOne = async (id: string) => (await tests.findOne({ _id: id })) ?? undefined;
  return {
    async ensureIndexes() {
      await tests.createIndex({ deployment: 1, createdAt: -1 });
      // Before the first request: cancels the previous release stored beside their tests.
      await foldLegacyTestCancels(db, tests);
    },
    async insert(test) {
      await tests.insertOne(test);
    },
    get: getOne,
    async save(id, patch) {
      await tests.updateOne({ _id: id }, { $set: patch });
    },
    async requestCancel(id, by, at) {
      const test = await getOne(id);
      if (!test) return undefined;
      if (!isCancelAllowed(test)) return test;
      const after = await tests.findOneAndUpdate(
        { _id: id, status: 'running', cancelRequested: { $exists: false } },
        { $set: { cancelRequested: { by, at } } },
        { returnDocument: 'after' },
      );
      // Lost the race (another request won, or the test just ended): the record as it is now.
      return after ?? getOne(id);
    },
    async latestFinished(deployment, amiId) {
      const filter = {
        deployment,
        status: { $in: ['passed', 'failed', 'unproven'] as AmiTestStatus[] },
        ...(amiId ? { amiId } : {}),
      };
      const [doc] = await tests.find(filter).sort({ createdAt: -1 }).limit(1).toArray();
      return doc;
    },
    async listRecent(limit, deployment) {
      return tests
        .find(deployment ? { deployment } : {})
        .sort({ createdAt: -1 })
        .limit(limit)
        .toArray();
    },
  };
}

export function createMongoAuditRepo(db: Db): AuditRepo & { ensureIndexes(): Promise<void> } {
  const audit: Collection<AuditEntry> = db.collection<AuditEntry>('audit', { ignoreUndefined: true });
  return {
    async ensureIndexes() {
      await audit.createIndex({ at: -1 });
    },
    async record(entry) {
      await audit.insertOne(entry);
    },
    async listRecent(limit, deployment) {
      return audit
        .find(deployment ? { deployment } : {})
        .sort({ at: -1, _id: -1 })
        .limit(limit)
        .toArray();
    },
  };
}

interface NotificationDoc {
  _id: string;
  changeId: string;
  userId: string;
  at: Date;
}

/** One document per (change, user) under a fixed `_id`: the insert decides who sends the DM. */
export function createMongoNotificationRepo(db: Db): NotificationRepo & { ensureIndexes(): Promise<void> } {
  const sent: Collection<NotificationDoc> = db.collection<NotificationDoc>('notifications');
  const key = (changeId: string, userId: string) => `${changeId}:${userId}`;
  return {
    async ensureIndexes() {
      await sent.createIndex({ changeId: 1 });
    },
    async claim(changeId, userId, at) {
      try {
        await sent.insertOne({ _id: key(changeId, userId), changeId, userId, at });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
    async release(changeId, userId) {
      await sent.deleteOne({ _id: key(changeId, userId) });
    },
    async listNotified(changeId) {
      const docs = await sent.find({ changeId }, { projection: { userId: 1 } }).toArray();
      return docs.map((doc) => doc.userId);
    },
  };
}

/** Every rollout repo on one database, for the state store to spread in. */
export async function createMongoRolloutRepos(db: Db) {
  const repos = {
    changes: createMongoChangeRepo(db),
    amiTests: createMongoAmiTestRepo(db),
    audit: createMongoAuditRepo(db),
    notifications: createMongoNotificationRepo(db),
  };
  await Promise.all(Object.values(repos).map((repo) => repo.ensureIndexes()));
  return repos;
}
