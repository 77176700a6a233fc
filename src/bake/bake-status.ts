import type { ChatPort } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { StateStore } from '../ports/state-store.js';
import type { Reply } from '../shared/reply.js';
import type { BakePresenter } from './bake-presenter.js';
import { findBake } from './find-bake.js';

/** `/ami status [bake-id]`: one bake in full, or the running and recent ones. */
export function createBakeStatus(deps: {
  store: StateStore;
  clock: Clock;
  chat: ChatPort;
  presenter: BakePresenter;
  sandbox: boolean;
}) {
  return async function bakeStatus(input: { bakeId?: string }): Promise<Reply> {
    if (input.bakeId === undefined) {
      const bakes = await deps.store.bakes.listRecent(10);
      return deps.presenter.list(bakes, deps.clock.now());
    }
    const bake = await findBake(deps.store.bakes, input.bakeId);
    return deps.presenter.cardReply(bake, deps.clock.now(), { sandbox: deps.sandbox });
  };
}
