import type { AllMiddlewareArgs, App, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ButtonOrigin } from '../shared/button-origin.js';
import type { Logger } from '../shared/logger.js';
import { ACTION_PREFIX, type ActionId } from './action-ids.js';
import { buttonOriginOf } from './button-origin.js';
import { answer } from './listeners.js';

export type ActionArgs = SlackActionMiddlewareArgs & AllMiddlewareArgs;
/** `origin`: where the click came from, for the use case's own-message check (already checked: team, channel). */
export type ActionListener = (args: ActionArgs, origin: ButtonOrigin) => Promise<void>;

/** Where the listener files register their buttons: one entry per action id. */
export interface ActionRouter {
  action(actionId: ActionId, listener: ActionListener): void;
}

/** What every click must match before any button's listener runs. */
export interface ButtonBinding {
  /** The installation's workspace (and Grid org); unknown (tests, the demo without a team id): not checked. */
  installation(): { teamId?: string; enterpriseId?: string };
  opsChannels: readonly string[];
  logger: Logger;
}

/** Every ami-bot action id starts with this (src/slack/action-ids.ts). */
const OUR_ACTIONS = new RegExp(`^${ACTION_PREFIX}`);

/** Why a click is refused before routing: another workspace or org, or outside the ops channels. */
export function refuseOrigin(origin: ButtonOrigin, binding: Omit<ButtonBinding, 'logger'>): string | undefined {
  const { teamId, enterpriseId } = binding.installation();
  const foreignTeam = teamId !== undefined && origin.teamId !== teamId;
  const foreignOrg =
    enterpriseId !== undefined && origin.enterpriseId !== undefined && origin.enterpriseId !== enterpriseId;
  if (foreignTeam || foreignOrg) {
    return ':no_entry: That button belongs to another Slack workspace; nothing was done.';
  }
  if (origin.channelId === undefined || !binding.opsChannels.includes(origin.channelId)) {
    const channels = binding.opsChannels.map((id) => `<#${id}>`).join(', ');
    return `:no_entry: ami-bot's buttons only work in its ops channel(s): ${channels}. Nothing was done.`;
  }
  return undefined;
}

/**
 * One Bolt listener for all of ami-bot's buttons, routing by action id through a table. Why not one
 * `app.action(id, …)` per button: Bolt runs every registered listener's middleware chain for every request it
 * receives, so ten button listeners made each slash command and click walk ten chains before its ack; under a
 * burst that was a measurable share of the ack latency (docs/PERFORMANCE.md, "Ack latency"). With a binding,
 * a click from another workspace or outside the ops channels is acked and refused here, for every button.
 */
export function createActionRouter(app: App, binding?: ButtonBinding): ActionRouter {
  const routes = new Map<string, ActionListener>();
  app.action(OUR_ACTIONS, async (args) => {
    const actionId = 'action_id' in args.action ? args.action.action_id : undefined;
    const listener = actionId === undefined ? undefined : routes.get(actionId);
    if (!listener) {
      // A retired button on an old message: acknowledged, nothing to do.
      await args.ack();
      return;
    }
    const origin = buttonOriginOf(args.body);
    const refusal = binding ? refuseOrigin(origin, binding) : undefined;
    if (binding && refusal) {
      await args.ack();
      const log = binding.logger.child({ action: actionId, userId: args.body.user?.id, origin });
      log.info('button refused: foreign workspace or channel');
      await answer(args.respond, log, async () => ({ text: refusal }));
      return;
    }
    await listener(args, origin);
  });
  return {
    action(actionId, listener) {
      if (!OUR_ACTIONS.test(actionId)) throw new Error(`action id ${actionId} must start with ami_`);
      if (routes.has(actionId)) throw new Error(`action id ${actionId} registered twice`);
      routes.set(actionId, listener);
    },
  };
}
