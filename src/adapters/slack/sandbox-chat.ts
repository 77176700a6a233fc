import type { Block, ChatMessage, ChatPort } from '../../ports/chat.js';
import type { SimTime } from '../../ports/clock.js';

export const SANDBOX_NOTICE = ':test_tube: *Sandbox*: simulated AWS and Domino, nothing real is touched.';

const MAX_BLOCKS = 50;

/** Said next to the sandbox notice: the times and durations on the message run at the simulator's speed. */
export const simulatedTimeNote = (speed: SimTime) =>
  speed === 'virtual'
    ? ':clock3: simulated time (virtual: it moves only while the bot waits): times and durations are on the simulated clock'
    : `:clock3: simulated time ×${speed}: times and durations are on the simulated clock`;

/** Adds the sandbox notice to a message unless a builder already said it. */
export function withSandboxNotice<T extends Pick<ChatMessage, 'text' | 'blocks'>>(message: T, timeNote?: string): T {
  const notice = timeNote ? `${SANDBOX_NOTICE}  ·  ${timeNote}` : SANDBOX_NOTICE;
  const blocks = message.blocks;
  if (!blocks || blocks.length === 0) {
    return message.text.includes('Sandbox') ? message : { ...message, text: `${message.text}\n${notice}` };
  }
  if (JSON.stringify(blocks).includes('*Sandbox*')) {
    return timeNote ? { ...message, blocks: blocks.map((block) => withTimeNote(block, timeNote)) } : message;
  }
  if (blocks.length >= MAX_BLOCKS) return message;
  const context: Block = { type: 'context', elements: [{ type: 'mrkdwn', text: notice }] };
  return { ...message, blocks: [...blocks, context] };
}

/** A thread reply gets no notice of its own (its root has one), but a builder's own notice gets the time note. */
function markThreadReply<T extends Pick<ChatMessage, 'blocks'>>(message: T, timeNote?: string): T {
  if (!timeNote || !message.blocks || !JSON.stringify(message.blocks).includes('*Sandbox*')) return message;
  return { ...message, blocks: message.blocks.map((block) => withTimeNote(block, timeNote)) };
}

/** A builder's own sandbox notice (a context element) gets the time note appended once. */
function withTimeNote(block: Block, timeNote: string): Block {
  if (block.type !== 'context') return block;
  const elements = block.elements.map((element) => {
    if (!('text' in element)) return element;
    const text = element.text;
    return typeof text === 'string' && text.includes('*Sandbox*') && !text.includes(timeNote)
      ? { ...element, text: `${text}  ·  ${timeNote}` }
      : element;
  });
  return { ...block, elements };
}

/**
 * Sandbox mode talks to a real Slack workspace: every root message and DM says it is a sandbox, so
 * nobody mistakes a rehearsal for a real change, and (given the simulator's speed) that its times are
 * simulated. Thread replies get no notice of their own (their root says it).
 */
export function createSandboxChat(chat: ChatPort, options: { speed?: SimTime } = {}): ChatPort {
  const note = options.speed === undefined ? undefined : simulatedTimeNote(options.speed);
  return {
    ...chat,
    post: (message) => chat.post(message.threadTs ? markThreadReply(message, note) : withSandboxNotice(message, note)),
    update: (message) =>
      chat.update(message.threadTs ? markThreadReply(message, note) : withSandboxNotice(message, note)),
    dm: (userId, text, blocks) => {
      const marked = withSandboxNotice({ text, ...(blocks ? { blocks } : {}) }, note);
      return chat.dm(userId, marked.text, marked.blocks);
    },
  };
}

type Fetch = typeof globalThis.fetch;

/**
 * Sandbox: the answers posted to a `response_url` (ephemeral replies, through Bolt's `respond()`) carry the sandbox
 * notice and the simulated-time note too, as posted messages do (their times — windows, deadlines, "approved at" —
 * are on the simulated clock). Only JSON bodies with a `response_type` are such answers; Web API calls pass as
 * they are (the sandbox ChatPort marks those).
 */
export function createSandboxResponseFetch(fetch: Fetch, options: { speed?: SimTime } = {}): Fetch {
  const note = options.speed === undefined ? undefined : simulatedTimeNote(options.speed);
  return (input, init) => {
    if (typeof init?.body !== 'string' || !init.body.includes('"response_type"')) return fetch(input, init);
    let message: { text?: unknown; blocks?: Block[]; response_type?: unknown };
    try {
      message = JSON.parse(init.body) as typeof message;
    } catch {
      return fetch(input, init);
    }
    if (message.response_type === undefined || typeof message.text !== 'string') return fetch(input, init);
    const marked = withSandboxNotice({ ...message, text: message.text }, note);
    return fetch(input, { ...init, body: JSON.stringify(marked) });
  };
}
