import type { StateStore } from '../ports/state-store.js';
import type { LastAmiTest } from './review-report.js';

/**
 * The review's optional "last test" source, read from the rollout flow's test records when the store has
 * them; undefined otherwise, and the report then says "No test recorded".
 */
export function lastAmiTestFromStore(
  store: StateStore,
): ((deployment: string) => Promise<LastAmiTest | undefined>) | undefined {
  const tests = store.amiTests as Partial<StateStore['amiTests']> | undefined;
  const latestFinished = tests?.latestFinished;
  if (!tests || typeof latestFinished !== 'function') return undefined;
  return async (deployment) => {
    const test = await latestFinished.call(tests, deployment);
    if (!test) return undefined;
    const pulling = test.seconds.Pulling;
    return {
      id: test._id,
      amiId: test.amiId,
      tierLabel: test.tierLabel,
      at: test.endedAt ?? test.createdAt,
      status: test.status,
      ...(pulling === undefined ? {} : { pullingSeconds: pulling }),
      ...(test.toRunningSeconds === undefined ? {} : { startSeconds: test.toRunningSeconds }),
    };
  };
}
