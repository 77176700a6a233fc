import { describe, expect, it } from 'vitest';
import { createSandboxChat, SANDBOX_NOTICE } from '../../src/adapters/slack/sandbox-chat.js';
import type { ChatMessage, ChatPort } from '../../src/ports.js';

function recordingChat() {
  const posted: ChatMessage[] = [];
  const chat: ChatPort = {
    post: async (message) => {
      posted.push(message);
      return { channel: message.channel, ts: String(posted.length) };
    },
    update: async (message) => void posted.push(message),
    postEphemeral: async (message) => void posted.push(message),
    dm: async (user, text, blocks) => {
      posted.push({ channel: `D${user}`, text, ...(blocks ? { blocks } : {}) });
      return { channel: `D${user}`, ts: '1' };
    },
    lookupUserIdByEmail: async () => undefined,
    userGroupMembers: async () => [],
    permalink: async () => undefined,
  };
  return { chat, posted };
}

describe('sandbox chat', () => {
  it('marks root messages, updates and DMs, but not thread replies', async () => {
    const { chat, posted } = recordingChat();
    const sandbox = createSandboxChat(chat);
    await sandbox.post({ channel: 'C1', text: 'root', blocks: [{ type: 'section' }] });
    await sandbox.post({ channel: 'C1', text: 'reply', threadTs: '1' });
    await sandbox.update({ channel: 'C1', ts: '1', text: 'plain' });
    await sandbox.dm('U1', 'hello');
    expect(JSON.stringify(posted[0]?.blocks)).toContain(SANDBOX_NOTICE);
    expect(posted[1]?.text).toBe('reply');
    expect(posted[2]?.text).toContain('Sandbox');
    expect(posted[3]?.text).toContain('Sandbox');
  });

  it('does not say it twice, and never pushes a message over 50 blocks', async () => {
    const { chat, posted } = recordingChat();
    const sandbox = createSandboxChat(chat);
    const marked = [{ type: 'context', elements: [{ type: 'mrkdwn', text: SANDBOX_NOTICE }] }];
    await sandbox.post({ channel: 'C1', text: 'x', blocks: marked });
    await sandbox.post({ channel: 'C1', text: 'x', blocks: Array.from({ length: 50 }, () => ({ type: 'divider' })) });
    expect(posted[0]?.blocks).toHaveLength(1);
    expect(posted[1]?.blocks).toHaveLength(50);
  });
});
