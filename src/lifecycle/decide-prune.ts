import { AppError } from '../errors.js';
import { checkApprover } from '../rollout/approvers.js';
import { text, user } from '../shared/text.js';
import type { LifecycleDeps } from './lifecycle-deps.js';
import { isPruneId, type PruneRecord } from './prune-record.js';

/**
 * An approver's decision on a prune, with the rollout's rules: only approvers, never the requester under the
 * two-person rule, before the deadline, and the first decision wins (the repository makes it atomic).
 * Returns the record after the decision; a refused decision throws an AppError and changes nothing.
 */
export async function decidePrune(
  deps: LifecycleDeps,
  input: { pruneId: string; userId: string; decision: 'approve' | 'reject' },
): Promise<PruneRecord> {
  if (!isPruneId(input.pruneId))
    throw new AppError('bad_prune_id', text`${input.pruneId} is not a prune id (they look like prn-20260901-ab12).`);
  const record = await deps.store.prunes.get(input.pruneId);
  if (!record) throw new AppError('unknown_prune', text`No prune ${input.pruneId} is recorded.`);
  const approver = await checkApprover(deps.config, deps.chat, input.userId);
  if (!approver.ok)
    throw new AppError(
      'not_an_approver',
      text`Only ${approver.who} may decide prune ${record._id}; nothing was changed.`,
    );
  if (input.decision === 'approve' && deps.config.twoPersonRule && input.userId === record.requester)
    throw new AppError(
      'two_person_rule',
      text`${user(input.userId)} planned prune ${record._id} and cannot also approve it: another approver must.`,
    );
  const at = deps.clock.now();
  const outcome = input.decision === 'approve' ? 'approved' : 'rejected';
  const won = await deps.store.prunes.decide(record._id, { outcome, by: input.userId, at });
  const after = (await deps.store.prunes.get(record._id)) ?? record;
  if (!won) {
    const why = after.decision
      ? text`it was already ${after.decision.outcome} by ${user(after.decision.by)}`
      : text`its approval deadline has passed`;
    throw new AppError('prune_decided', text`Prune ${record._id} was not ${outcome}: ${why}. Nothing was changed.`);
  }
  deps.metrics?.approvals.inc({ decision: outcome });
  return after;
}
