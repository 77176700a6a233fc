import type { App } from '@slack/bolt';
import type { HomeData } from '../bake/bake-presenter.js';
import type { Config } from '../config.js';
import type { Logger } from '../shared/logger.js';
import { isAdmin } from './authorize.js';
import { homeView } from './blocks/home-view.js';

/** app_home_opened: read what the user's App Home shows through its use case, build the view, publish it. */
export function registerHomeTab(
  app: App,
  deps: { config: Config; homeTab(input: { userId: string }): Promise<HomeData>; logger: Logger },
): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    try {
      const { userId, ...data } = await deps.homeTab({ userId: event.user });
      const view = homeView({ ...data, isAdmin: isAdmin(deps.config, userId) });
      await client.views.publish({ user_id: event.user, view });
    } catch (error) {
      deps.logger.warn({ err: error, userId: event.user }, 'could not publish the App Home');
    }
  });
}
