import type { App } from '@slack/bolt';
import type { Logger } from '../shared/logger.js';
import type { homeView } from './blocks/home-view.js';

/** app_home_opened: build the view through its use case, publish it. Events are acked by Bolt. */
export function registerHomeTab(
  app: App,
  deps: { homeTab(input: { userId: string }): Promise<ReturnType<typeof homeView>>; logger: Logger },
): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    try {
      const view = await deps.homeTab({ userId: event.user });
      // Our builders type blocks loosely (ports/chat.ts Block); Slack validates them on publish.
      type View = Parameters<typeof client.views.publish>[0]['view'];
      await client.views.publish({ user_id: event.user, view: view as unknown as View });
    } catch (error) {
      deps.logger.warn({ err: error, userId: event.user }, 'could not publish the App Home');
    }
  });
}
