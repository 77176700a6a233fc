import type { Config } from '../config.js';
import type { Clock } from '../ports/clock.js';
import type { StateStore } from '../ports/state-store.js';
import { isAdmin } from '../slack/authorize.js';
import { homeView } from '../slack/blocks/home-view.js';

/** The App Home use case: the view for one user (published by the Slack layer). */
export function createHomeTab(deps: { config: Config; store: StateStore; clock: Clock }) {
  return async function homeTab(input: { userId: string }) {
    const bakes = await deps.store.bakes.listRecent(10);
    return homeView({
      bakes,
      isAdmin: isAdmin(deps.config, input.userId),
      now: deps.clock.now(),
      sandbox: deps.config.sandbox,
      ...(deps.config.sandbox ? { simSpeed: deps.config.simSpeed } : {}),
    });
  };
}
