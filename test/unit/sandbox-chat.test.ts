import { describe, expect, it } from 'vitest';
import { createSandboxChat, SANDBOX_NOTICE, simulatedTimeNote } from '../../src/adapters/slack/sandbox-chat.js';
import type { Block, ChatMessage, ChatPort } from '../../src/ports/chat.js';
import { homeView } from '../../src/slack/blocks/home-view.js';

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
    const marked: Block[] = [{ type: 'context', elements: [{ type: 'mrkdwn', text: SANDBOX_NOTICE }] }];
    await sandbox.post({ channel: 'C1', text: 'x', blocks: marked });
    await sandbox.post({
      channel: 'C1',
      text: 'x',
      blocks: Array.from({ length: 50 }, (): Block => ({ type: 'divider' })),
    });
    expect(posted[0]?.blocks).toHaveLength(1);
    expect(posted[1]?.blocks).toHaveLength(50);
  });

  it("says the times are simulated: on its own notice, on a builder's notice, on thread cards, once", async () => {
    const { chat, posted } = recordingChat();
    const sandbox = createSandboxChat(chat, { speed: 60 });
    const note = simulatedTimeNote(60);
    const builderNotice: Block[] = [
      { type: 'context', elements: [{ type: 'mrkdwn', text: ':test_tube: *Sandbox*: simulated.' }] },
    ];
    await sandbox.post({ channel: 'C1', text: 'root', blocks: [{ type: 'section' }] });
    await sandbox.post({ channel: 'C1', text: 'card', blocks: builderNotice });
    await sandbox.post({ channel: 'C1', text: 'card in a thread', threadTs: '1', blocks: builderNotice });
    await sandbox.post({ channel: 'C1', text: 'plain reply', threadTs: '1' });
    await sandbox.dm('U1', 'hello');
    expect(JSON.stringify(posted[0]?.blocks)).toContain(`${SANDBOX_NOTICE}  ·  ${note}`);
    expect(posted[1]?.blocks).toHaveLength(1);
    expect(JSON.stringify(posted[1]?.blocks).split(note)).toHaveLength(2);
    expect(JSON.stringify(posted[2]?.blocks)).toContain(`:test_tube: *Sandbox*: simulated.  ·  ${note}`);
    expect(posted[3]?.text).toBe('plain reply');
    expect(posted[4]?.text).toContain(note);
    expect(note).toBe(':clock3: simulated time ×60: times and durations are on the simulated clock');
    expect(simulatedTimeNote('virtual')).toBe(
      ':clock3: simulated time (virtual: it moves only while the bot waits): times and durations are on the simulated clock',
    );
  });
});

describe('App Home in sandbox mode', () => {
  it('says the bakes are simulated and their times run at the simulator speed; production says neither', () => {
    const now = new Date('2026-12-02T12:00:00Z');
    const sandbox = JSON.stringify(homeView({ bakes: [], isAdmin: true, now, sandbox: true, simSpeed: 60 }).blocks);
    expect(sandbox).toContain('*Sandbox*');
    expect(sandbox).toContain('simulated time ×60');
    const production = JSON.stringify(homeView({ bakes: [], isAdmin: true, now, sandbox: false }).blocks);
    expect(production).not.toContain('Sandbox');
    expect(production).not.toContain('simulated time');
  });
});
