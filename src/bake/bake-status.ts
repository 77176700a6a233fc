import { AppError } from '../errors.js';
import type { ChatPort } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { StateStore } from '../ports/state-store.js';
import type { Reply } from '../shared/reply.js';
import { code, text } from '../shared/text.js';
import type { BakePresenter } from './bake-presenter.js';
import { isBakeId } from './bake-record.js';

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
    if (!isBakeId(input.bakeId)) {
      throw new AppError(
        'invalid_bake_id',
        text`${code(input.bakeId.slice(0, 40))} is not a bake id (like bake-20261128-k3m9). \`/ami status\` lists them.`,
      );
    }
    const bake = await deps.store.bakes.get(input.bakeId);
    if (!bake) throw new AppError('unknown_bake', `No bake ${input.bakeId}. \`/ami status\` lists recent bakes.`);
    return deps.presenter.cardReply(bake, deps.clock.now(), { sandbox: deps.sandbox });
  };
}
