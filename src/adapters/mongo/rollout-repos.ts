import type { Collection, Db } from 'mongodb';
import type { AmiTestRepo, AuditRepo, NotificationRepo } from '../../ports.js';
import type { AmiTestRecord, AmiTestStatus } from '../../rollout/ami-test-record.js';
import type { AuditEntry } from '../../rollout/audit-record.js';
import { createMongoChangeRepo } from './change-repo.js';
import { isDuplicateKey } from './lock-repo.js';

/** AMI tests: written by the one process that runs the test, read by anyone. */
export function createMongoAmiTestRepo(db: Db): AmiTestRepo & { ensureIndexes(): Promise<void> } {
  const tests: Collection<AmiTestRecord> = db.collection<AmiTestRecord>('ami_tests', { ignoreUndefined: true });
  return {
    async ensureIndexes() {
      await tests.createIndex({ deployment: 1, createdAt: -1 });
    },
    async insert(test) {
      await tests.insertOne(test);
    },
    async get(id) {
      return (await tests.findOne({ _id: id })) ?? undefined;
    },
    async save(id, patch) {
      await tests.updateOne({ _id: id }, { $set: patch });
    },
    async requestCancel(id, by, at) {
      await tests.updateOne(
        { _id: id, status: 'running', cancelRequested: { $exists: false } },
        { $set: { cancelRequested: { by, at } } },
      );
      return (await tests.findOne({ _id: id })) ?? undefined;
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
