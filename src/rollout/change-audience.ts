import { userMessage } from '../errors.js';
import type { ChangeRecord, TierUpdatePlan } from './change-record.js';
import { targetUpdateOf } from './change-record.js';
import type { RolloutTargetPort } from './rollout-target.js';

/**
 * The audience a change records when planned (node pools and their hardware tiers); a Domino that cannot say does
 * not stop the plan: the error is recorded and the announcement reports it.
 */
export async function audienceOf(
  port: RolloutTargetPort,
  updates: readonly TierUpdatePlan[],
): Promise<Pick<ChangeRecord, 'audience' | 'audienceError'>> {
  try {
    const audience = await port.audience(updates.map(targetUpdateOf));
    return audience ? { audience } : {};
  } catch (error) {
    return { audience: [], audienceError: userMessage(error) };
  }
}

/** The hardware tiers whose users a change tells, with their labels: the audience's, else the planned tiers. */
export function tiersToTell(change: Pick<ChangeRecord, 'audience' | 'updates'>): Map<string, string> {
  if (!change.audience) return new Map(change.updates.map((t) => [t.id, t.label]));
  return new Map(change.audience.flatMap((pool) => pool.tiers.map((tier) => [tier.id, tier.label] as const)));
}
