import type { Block, ChatMessage, ChatPort } from '../../ports.js';

export const SANDBOX_NOTICE = ':test_tube: *Sandbox*: simulated AWS and Domino, nothing real is touched.';

const MAX_BLOCKS = 50;

/** Adds the sandbox notice to a message unless a builder already said it. */
export function withSandboxNotice<T extends Pick<ChatMessage, 'text' | 'blocks'>>(message: T): T {
  const blocks = message.blocks;
  if (!blocks || blocks.length === 0) {
    return message.text.includes('Sandbox') ? message : { ...message, text: `${message.text}\n${SANDBOX_NOTICE}` };
  }
  if (JSON.stringify(blocks).includes('*Sandbox*') || blocks.length >= MAX_BLOCKS) return message;
  const notice: Block = { type: 'context', elements: [{ type: 'mrkdwn', text: SANDBOX_NOTICE }] };
  return { ...message, blocks: [...blocks, notice] };
}

/**
 * Sandbox mode talks to a real Slack workspace: every root message and DM says it is a sandbox, so
 * nobody mistakes a rehearsal for a real change. Thread replies stay as they are (their root says it).
 */
export function createSandboxChat(chat: ChatPort): ChatPort {
  return {
    ...chat,
    post: (message) => chat.post(message.threadTs ? message : withSandboxNotice(message)),
    update: (message) => chat.update(message.threadTs ? message : withSandboxNotice(message)),
    dm: (userId, text, blocks) => {
      const marked = withSandboxNotice({ text, ...(blocks ? { blocks } : {}) });
      return chat.dm(userId, marked.text, marked.blocks);
    },
  };
}
