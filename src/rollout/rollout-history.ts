import type { Reply } from '../shared/reply.js';
import type { RolloutDeps } from './rollout-deps.js';

const DEFAULT_LIMIT = 15;
const MAX_LIMIT = 50;

/** `/ami history [n]`: the newest audit entries (decisions, applies, reverts, drains, tests). */
export function createRolloutHistory(deps: Pick<RolloutDeps, 'store' | 'presenter'>) {
  return async function rolloutHistory(input: { limit?: number }): Promise<Reply> {
    const limit = Math.min(Math.max(1, input.limit ?? DEFAULT_LIMIT), MAX_LIMIT);
    return deps.presenter.history(await deps.store.audit.listRecent(limit));
  };
}
