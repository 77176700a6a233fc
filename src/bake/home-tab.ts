import type { Config } from '../config.js';
import type { Clock } from '../ports/clock.js';
import type { StateStore } from '../ports/state-store.js';
import type { HomeData } from './bake-presenter.js';

/** The App Home use case: what one user's App Home shows (the Slack layer builds and publishes the view). */
export function createHomeTab(deps: { config: Config; store: StateStore; clock: Clock }) {
  return async function homeTab(input: { userId: string }): Promise<HomeData> {
    const bakes = await deps.store.bakes.listRecent(10);
    return {
      userId: input.userId,
      bakes,
      now: deps.clock.now(),
      sandbox: deps.config.sandbox,
      kinds: [...new Set(deps.config.deployments.map((deployment) => deployment.kind))],
      ...(deps.config.sandbox ? { simSpeed: deps.config.simSpeed } : {}),
    };
  };
}
