import type { Collection, Db } from 'mongodb';
import type { AmiTestRecord, AmiTestStatus } from '../../rollout/ami-test-record.js';
import type { AmiTestRepo } from '../../rollout/ami-test-repo.js';
import type { AuditEntry } from '../../rollout/audit-record.js';
import type { AuditRepo } from '../../rollout/audit-repo.js';
import type { NotificationRepo } from '../../rollout/notification-repo.js';
import { createMongoChangeRepo } from './change-repo.js';
import { isDuplicateKey } from './lock-repo.js';

/**
 * AMI tests: written by the one process that runs the test, read by anyone. A cancel request is its own
 * insert-once document in `ami_test_cancels` (as for bakes): FerretDB applies an update as a read-modify-write of
 * the whole document, so a `$set` of the runner's progress landing with a `$set` of `cancelRequested` could drop
 * the cancel; an insert with a fixed `_id` is decided atomically by FerretDB and MongoDB alike.
 */
export function createMongoAmiTestRepo(db: Db): AmiTestRepo & { ensureIndexes(): Promise<void> } {
  const tests: Collection<AmiTestRecord> = db.collection<AmiTestRecord>('ami_tests', { ignoreUndefined: true });
  const cancels = db.collection<{ _id: string; by: string; at: Date }>('ami_test_cancels');
  /** The tests with their cancel request merged in (one query for all of them). */
  async function withCancels(docs: AmiTestRecord[]): Promise<AmiTestRecord[]> {
    const open = docs.filter((doc) => !doc.cancelRequested);
    if (open.length === 0) return docs;
    const found = await cancels.find({ _id: { $in: open.map((doc) => doc._id) } }).toArray();
    const byId = new Map(found.map(({ _id, by, at }) => [_id, { by, at }]));
    return docs.map((doc) => {
      const cancel = byId.get(doc._id);
      return cancel && !doc.cancelRequested ? { ...doc, cancelRequested: cancel } : doc;
    });
  }
  async function getOne(id: string): Promise<AmiTestRecord | undefined> {
    const doc = await tests.findOne({ _id: id });
    return doc ? (await withCancels([doc]))[0] : undefined;
  }
  return {
    async ensureIndexes() {
      await tests.createIndex({ deployment: 1, createdAt: -1 });
    },
    async insert(test) {
      await tests.insertOne(test);
    },
    get: getOne,
    async save(id, patch) {
      await tests.updateOne({ _id: id }, { $set: patch });
    },
    async requestCancel(id, by, at) {
      const test = await tests.findOne({ _id: id }, { projection: { status: 1 } });
      if (!test) return undefined;
      if (test.status === 'running') {
        try {
          await cancels.insertOne({ _id: id, by, at });
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      }
      return getOne(id);
    },
    async latestFinished(deployment, amiId) {
      const filter = {
        deployment,
        status: { $in: ['passed', 'failed', 'unproven'] as AmiTestStatus[] },
        ...(amiId ? { amiId } : {}),
      };
      const docs = await tests.find(filter).sort({ createdAt: -1 }).limit(1).toArray();
      return (await withCancels(docs))[0];
    },
    async listRecent(limit, deployment) {
      const docs = await tests
        .find(deployment ? { deployment } : {})
        .sort({ createdAt: -1 })
        .limit(limit)
        .toArray();
      return withCancels(docs);
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
