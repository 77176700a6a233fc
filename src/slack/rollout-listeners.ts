import { isBakeId } from '../bake/bake-record.js';
import type { Config } from '../config.js';
import type { RolloutUseCases } from '../rollout/create-rollout.js';
import type { ButtonOrigin } from '../shared/button-origin.js';
import type { Logger } from '../shared/logger.js';
import { ACTION_IDS } from './action-ids.js';
import type { ActionRouter } from './action-router.js';
import { isAdmin } from './authorize.js';
import { answer, buttonValue } from './listeners.js';

/**
 * The rollout's buttons: ack first, then one use case. Test / Plan / Cancel test are for admins (checked here);
 * Approve / Reject / Terminate are for approvers, which the decide use case checks — it needs the change to
 * apply the two-person rule, and Slack to read the approver group.
 */
export function registerRolloutActions(
  actions: ActionRouter,
  deps: { config: Config; useCases: RolloutUseCases; logger: Logger },
): void {
  const { config, useCases, logger } = deps;

  const adminButtons = [
    [
      ACTION_IDS.testAmi,
      'test an AMI',
      (userId: string, channelId: string, value: string, origin: ButtonOrigin) =>
        useCases.testAmi({ userId, channelId, target: value, origin }),
    ],
    [
      ACTION_IDS.planRollout,
      'plan a rollout',
      (userId: string, channelId: string, value: string, origin: ButtonOrigin) =>
        useCases.planRollout({ userId, channelId, target: value, origin }),
    ],
    [
      ACTION_IDS.cancelTest,
      'cancel a test',
      (userId: string, _channelId: string, value: string, origin: ButtonOrigin) =>
        useCases.cancelTest({ userId, testId: value, origin }),
    ],
  ] as const;
  for (const [actionId, what, run] of adminButtons) {
    actions.action(actionId, async ({ ack, body, action, respond }, origin) => {
      await ack();
      const userId = body.user.id;
      const channelId = (body as { channel?: { id?: string } }).channel?.id ?? config.opsChannels[0]!;
      const log = logger.child({ userId, action: actionId, channel: channelId });
      if (!isAdmin(config, userId)) {
        await answer(respond, log, async () => ({
          text: `:no_entry: Only ami-bot admins can ${what}. Nothing was done.`,
        }));
        return;
      }
      const value = buttonValue(action);
      // Our Test / Plan rollout buttons carry a bake id, which binds the click to the bake's thread; the commands
      // take an AMI id too, but a click naming one would be bound to no message at all.
      if (actionId !== ACTION_IDS.cancelTest && !isBakeId(value)) {
        log.info('button refused: its value is not a bake id');
        await answer(respond, log, async () => ({
          text: ':warning: That button does not name a bake (a copied or forged click?); nothing was done. Use the buttons on the bake’s thread, or `/ami test` / `/ami plan` with an AMI id.',
        }));
        return;
      }
      await answer(respond, log, () => run(userId, channelId, value, origin));
    });
  }

  const decisions = [
    [ACTION_IDS.approve, 'approve'],
    [ACTION_IDS.drainTerminate, 'approve'],
    [ACTION_IDS.reject, 'reject'],
  ] as const;
  for (const [actionId, decision] of decisions) {
    actions.action(actionId, async ({ ack, body, action, respond }, origin) => {
      await ack();
      const userId = body.user.id;
      const changeId = buttonValue(action);
      const log = logger.child({ userId, action: actionId, changeId });
      await answer(respond, log, () => useCases.decideChange({ userId, changeId, decision, origin }));
    });
  }
}
