import { AppError } from '../errors.js';
import type { ChatPort } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { StateStore } from '../ports/state-store.js';
import type { Reply } from '../shared/reply.js';
import { bakeListMessage } from '../slack/blocks/bake-list.js';
import { bakeRootMessage } from '../slack/blocks/bake-message.js';
import { codeText } from '../slack/blocks/block-text.js';
import { isBakeId } from './bake-record.js';

/** `/ami status [bake-id]`: one bake in full, or the running and recent ones. */
export function createBakeStatus(deps: { store: StateStore; clock: Clock; chat: ChatPort; sandbox: boolean }) {
  return async function bakeStatus(input: { bakeId?: string }): Promise<Reply> {
    if (input.bakeId === undefined) {
      const bakes = await deps.store.bakes.listRecent(10);
      return bakeListMessage(bakes, deps.clock.now());
    }
    if (!isBakeId(input.bakeId)) {
      throw new AppError(
        'invalid_bake_id',
        `${codeText(input.bakeId.slice(0, 40))} is not a bake id (like bake-20261128-k3m9). \`/ami status\` lists them.`,
      );
    }
    const bake = await deps.store.bakes.get(input.bakeId);
    if (!bake) throw new AppError('unknown_bake', `No bake ${input.bakeId}. \`/ami status\` lists recent bakes.`);
    const message = bakeRootMessage(bake, deps.clock.now(), { sandbox: deps.sandbox });
    // The ephemeral copy carries no buttons: actions belong on the shared root message.
    return { text: message.text, blocks: message.blocks.filter((block) => block.type !== 'actions') };
  };
}
