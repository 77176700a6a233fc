import type { BakePresenter } from '../bake/bake-presenter.js';
import { bakeListMessage } from './blocks/bake-list.js';
import { amiReadyMessage, bakeRootMessage } from './blocks/bake-message.js';
import { renderMrkdwn } from './blocks/render-text.js';

/** The bake's messages in Block Kit, from the pure builders in `blocks/`. */
export function createBakePresenter(): BakePresenter {
  return {
    card: bakeRootMessage,
    cardReply(bake, now, options) {
      const message = bakeRootMessage(bake, now, options);
      return { text: message.text, blocks: message.blocks.filter((block) => block.type !== 'actions') };
    },
    list: bakeListMessage,
    amiReady: amiReadyMessage,
    content: (text) => ({ text: renderMrkdwn(text) }),
  };
}
