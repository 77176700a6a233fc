import { isDecisionAllowed, type PruneRecord } from '../../lifecycle/prune-record.js';
import type { PruneRepo } from '../../lifecycle/prune-repo.js';

/** Prune records in process memory (sandbox, tests): the same guards as the MongoDB repository. */
export function createMemoryPruneRepo(): PruneRepo {
  const records = new Map<string, PruneRecord>();
  const copy = <T>(value: T): T => structuredClone(value);
  return {
    async insert(record) {
      if (records.has(record._id)) return false;
      records.set(record._id, copy(record));
      return true;
    },
    async get(id) {
      const record = records.get(id);
      return record ? copy(record) : undefined;
    },
    async listRecent(limit, deployment) {
      return [...records.values()]
        .filter((r) => deployment === undefined || r.deployment === deployment)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .slice(0, limit)
        .map(copy);
    },
    async decide(id, decision) {
      const record = records.get(id);
      if (!record || !isDecisionAllowed(record, decision)) return false;
      record.decision = copy(decision);
      return true;
    },
    async recordOutcome(id, key, outcome) {
      const record = records.get(id);
      if (record) record.outcomes[key] = copy(outcome);
    },
    async noteMessage(id, message) {
      const record = records.get(id);
      if (record) record.message = copy(message);
    },
    async finish(id, result) {
      const record = records.get(id);
      if (!record || record.result) return false;
      record.result = copy(result);
      return true;
    },
  };
}
