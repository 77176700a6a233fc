import type { AllMiddlewareArgs, App, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ActionId } from './action-ids.js';

export type ActionArgs = SlackActionMiddlewareArgs & AllMiddlewareArgs;
export type ActionListener = (args: ActionArgs) => Promise<void>;

/** Where the listener files register their buttons: one entry per action id. */
export interface ActionRouter {
  action(actionId: ActionId, listener: ActionListener): void;
}

/** Every ami-bot action id starts with this (src/slack/action-ids.ts). */
const OUR_ACTIONS = /^ami_/;

/**
 * One Bolt listener for all of ami-bot's buttons, routing by action id through a table. Why not one
 * `app.action(id, …)` per button: Bolt runs every registered listener's middleware chain for every request it
 * receives, so ten button listeners made each slash command and click walk ten chains before its ack; under a
 * burst that was a measurable share of the ack latency (docs/PERFORMANCE.md, "Ack latency").
 */
export function createActionRouter(app: App): ActionRouter {
  const routes = new Map<string, ActionListener>();
  app.action(OUR_ACTIONS, async (args) => {
    const actionId = 'action_id' in args.action ? args.action.action_id : undefined;
    const listener = actionId === undefined ? undefined : routes.get(actionId);
    if (!listener) {
      // A retired button on an old message: acknowledged, nothing to do.
      await args.ack();
      return;
    }
    await listener(args);
  });
  return {
    action(actionId, listener) {
      if (!OUR_ACTIONS.test(actionId)) throw new Error(`action id ${actionId} must start with ami_`);
      if (routes.has(actionId)) throw new Error(`action id ${actionId} registered twice`);
      routes.set(actionId, listener);
    },
  };
}
