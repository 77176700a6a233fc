import type { Logger } from '../shared/logger.js';
import { ACTION_IDS } from './action-ids.js';
import type { ActionRouter } from './action-router.js';
import { answer, buttonValue, type UseCases } from './listeners.js';

/**
 * The prune's Approve / Reject: ack first, then the decide use case, which checks the approver, the two-person
 * rule and that the click is on the prune's own message.
 */
export function registerLifecycleActions(
  actions: ActionRouter,
  deps: { useCases: Pick<UseCases, 'decidePruneClick'>; logger: Logger },
): void {
  const decisions = [
    [ACTION_IDS.pruneApprove, 'approve'],
    [ACTION_IDS.pruneReject, 'reject'],
  ] as const;
  for (const [actionId, decision] of decisions) {
    actions.action(actionId, async ({ ack, body, action, respond }, origin) => {
      await ack();
      const userId = body.user.id;
      const pruneId = buttonValue(action);
      const log = deps.logger.child({ userId, action: actionId, pruneId });
      await answer(respond, log, () => deps.useCases.decidePruneClick({ userId, pruneId, decision, origin }));
    });
  }
}
