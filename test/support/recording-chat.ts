// A ChatPort that records what the use cases say, for tests below the Slack layer.
import type { Block, ChatMessage, ChatPort, PostedMessage } from '../../src/ports/chat.js';

export interface RecordingChat extends ChatPort {
  posts: Array<ChatMessage & { ts: string }>;
  updates: Array<ChatMessage & { ts: string }>;
  dms: Array<{ userId: string; text: string; blocks?: Block[] }>;
  /** Latest version of a posted message (after updates). */
  latest(ts: string): (ChatMessage & { ts: string }) | undefined;
  usersByEmail: Map<string, string>;
  groups: Map<string, string[]>;
}

export function createRecordingChat(): RecordingChat {
  let seq = 0;
  const chat: RecordingChat = {
    posts: [],
    updates: [],
    dms: [],
    usersByEmail: new Map(),
    groups: new Map(),
    latest(ts) {
      const updated = chat.updates.filter((u) => u.ts === ts).at(-1);
      return updated ?? chat.posts.find((p) => p.ts === ts);
    },
    async post(message): Promise<PostedMessage> {
      const ts = `1700000000.${String(++seq).padStart(6, '0')}`;
      chat.posts.push({ ...message, ts });
      return { channel: message.channel, ts };
    },
    async update(message) {
      chat.updates.push(message);
    },
    async postEphemeral() {},
    async dm(userId, text, blocks) {
      chat.dms.push({ userId, text, ...(blocks ? { blocks } : {}) });
      return { channel: `D${userId}`, ts: `1700000001.${String(++seq).padStart(6, '0')}` };
    },
    async lookupUserIdByEmail(email) {
      return chat.usersByEmail.get(email);
    },
    async userGroupMembers(groupId) {
      return chat.groups.get(groupId) ?? [];
    },
    async permalink(channel, ts) {
      return `https://fake.slack.test/archives/${channel}/p${ts.replace('.', '')}`;
    },
  };
  return chat;
}
