import { isDecisionAllowed, type PruneRecord } from '../../lifecycle/prune-record.js';
import type { PruneRepo } from '../../lifecycle/prune-repo.js';
import { copy, insertOnce, readOne, recentOf } from './memory-records.js';

/** Prune records in process memory (sandbox, tests): the same guards as the MongoDB repository. */
export function createMemoryPruneRepo(): PruneRepo {
  const records = new Map<string, PruneRecord>();
  return {
    async insert(record) {
      return insertOnce(records, record);
    },
    async get(id) {
      return readOne(records, id, copy);
    },
    async listRecent(limit, deployment) {
      return recentOf(records, deployment).slice(0, limit).map(copy);
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
