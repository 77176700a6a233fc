import { type AmiTestRecord, isCancelAllowed } from '../../rollout/ami-test-record.js';
import type { AmiTestRepo } from '../../rollout/ami-test-repo.js';
import type { AuditEntry } from '../../rollout/audit-record.js';
import type { AuditRepo } from '../../rollout/audit-repo.js';
import {
  type ChangeRecord,
  deriveStatus,
  isDecisionAllowed,
  nextApplyAttempt,
  OPEN_STATUSES,
} from '../../rollout/change-record.js';
import type { ChangeRepo } from '../../rollout/change-repo.js';
import type { NotificationRepo } from '../../rollout/notification-repo.js';
import { copy, insertOnce, readOne, recentOf } from './memory-records.js';

/**
 * The rollout's state in process memory, with the same first-one-wins semantics as the MongoDB repos (the shared
 * contract tests run against both). JavaScript runs each check-and-set below without interleaving, which is what
 * the MongoDB repos get from inserting a document with a fixed `_id`. Copies in and out.
 */

export function createMemoryChangeRepo(): ChangeRepo {
  const changes = new Map<string, ChangeRecord>();
  const read = (change: ChangeRecord) => copy({ ...change, status: deriveStatus(change) });
  return {
    async insert(change) {
      return insertOnce(changes, change);
    },
    async get(id) {
      return readOne(changes, id, read);
    },
    async listRecent(limit, deployment) {
      return recentOf(changes, deployment).slice(0, limit).map(read);
    },
    async listOpen() {
      return [...changes.values()].map(read).filter((change) => OPEN_STATUSES.includes(change.status));
    },
    async note(id, notes) {
      const change = changes.get(id);
      if (change) Object.assign(change, copy(notes));
    },
    async decide(id, decision) {
      const change = changes.get(id);
      if (!change || !isDecisionAllowed(change, decision)) return false;
      change.decision = copy(decision);
      return true;
    },
    async claimApply(id, owner, at, staleBefore) {
      const change = changes.get(id);
      const attempt = change && nextApplyAttempt(change, staleBefore);
      if (change === undefined || attempt === undefined) return false;
      change.apply = { owner, at, attempt };
      return true;
    },
    async finishApply(id, result) {
      const change = changes.get(id);
      if (!change || change.result) return false;
      change.result = copy(result);
      return true;
    },
    async claimReminder(id, at) {
      const change = changes.get(id);
      if (!change || change.reminderSentAt) return false;
      change.reminderSentAt = at;
      return true;
    },
  };
}

export function createMemoryAmiTestRepo(): AmiTestRepo {
  const tests = new Map<string, AmiTestRecord>();
  return {
    async insert(test) {
      if (!insertOnce(tests, test)) throw new Error(`duplicate key: test ${test._id}`);
    },
    async get(id) {
      return readOne(tests, id, copy);
    },
    async save(id, patch) {
      const test = tests.get(id);
      if (test) Object.assign(test, copy(patch));
    },
    async requestCancel(id, by, at) {
      const test = tests.get(id);
      if (!test) return undefined;
      if (isCancelAllowed(test)) test.cancelRequested = { by, at };
      return copy(test);
    },
    async latestFinished(deployment, amiId) {
      const found = recentOf(tests, deployment).find(
        (test) => ['passed', 'failed', 'unproven'].includes(test.status) && (!amiId || test.amiId === amiId),
      );
      return found ? copy(found) : undefined;
    },
    async listRecent(limit, deployment) {
      return recentOf(tests, deployment).slice(0, limit).map(copy);
    },
  };
}

export function createMemoryAuditRepo(): AuditRepo {
  const entries: AuditEntry[] = [];
  return {
    async record(entry) {
      if (entries.some((e) => e._id === entry._id)) throw new Error(`duplicate key: audit ${entry._id}`);
      entries.push(copy(entry));
    },
    async listRecent(limit, deployment) {
      return entries
        .filter((entry) => deployment === undefined || entry.deployment === deployment)
        .sort((a, b) => b.at.getTime() - a.at.getTime() || (a._id < b._id ? 1 : -1))
        .slice(0, limit)
        .map(copy);
    },
  };
}

export function createMemoryNotificationRepo(): NotificationRepo {
  const sent = new Map<string, Set<string>>();
  return {
    async claim(changeId, userId) {
      const users = sent.get(changeId) ?? new Set<string>();
      sent.set(changeId, users);
      if (users.has(userId)) return false;
      users.add(userId);
      return true;
    },
    async release(changeId, userId) {
      sent.get(changeId)?.delete(userId);
    },
    async listNotified(changeId) {
      return [...(sent.get(changeId) ?? [])];
    },
  };
}
