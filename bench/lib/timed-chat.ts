// A ChatPort that answers at once and remembers what was said and when (on the bot's clock, so virtual time
// on the simulator): the bake benchmark reads when the thread said the AMI is available.
import type { ChatPort } from '../../src/ports/chat.js';
import type { Clock } from '../../src/ports/clock.js';

export interface TimedPost {
  atMs: number;
  channel: string;
  threadTs?: string;
  text: string;
}

export interface TimedChat extends ChatPort {
  posts: TimedPost[];
}

export function createTimedChat(clock: Clock): TimedChat {
  let seq = 0;
  const posts: TimedPost[] = [];
  const ts = () => `1700000000.${String(++seq).padStart(6, '0')}`;
  return {
    posts,
    async post(message) {
      posts.push({
        atMs: clock.now().getTime(),
        channel: message.channel,
        text: message.text,
        ...(message.threadTs ? { threadTs: message.threadTs } : {}),
      });
      return { channel: message.channel, ts: ts() };
    },
    async update() {},
    async postEphemeral() {},
    async dm(userId) {
      return { channel: `D${userId}`, ts: ts() };
    },
    async lookupUserIdByEmail() {
      return undefined;
    },
    async userGroupMembers() {
      return [];
    },
    async permalink(channel, messageTs) {
      return `https://bench.slack.test/archives/${channel}/p${messageTs.replace('.', '')}`;
    },
  };
}
