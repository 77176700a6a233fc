// A ChatPort for the review's tests: records every post and update with the (virtual) time it was made, and
// can fail posts on demand. Several bot replicas may share one, as they share one Slack workspace.
import type { ChatMessage, ChatPort } from '../../src/ports/chat.js';
import type { Clock } from '../../src/ports/clock.js';

export interface TimedPost extends ChatMessage {
  ts: string;
  at: Date;
}

export interface ReviewChat extends ChatPort {
  posts: TimedPost[];
  updates: TimedPost[];
  /** Makes the next `count` posts fail, as Slack does when it is down. */
  failPosts(count: number): void;
}

export function createReviewChat(clock: Clock): ReviewChat {
  let seq = 0;
  let failures = 0;
  const chat: ReviewChat = {
    posts: [],
    updates: [],
    failPosts(count) {
      failures = count;
    },
    async post(message) {
      if (failures > 0) {
        failures--;
        throw new Error('An API error occurred: service_unavailable');
      }
      seq++;
      const ts = `1700000000.${String(seq).padStart(6, '0')}`;
      chat.posts.push({ ...message, ts, at: clock.now() });
      return { channel: message.channel, ts };
    },
    async update(message) {
      chat.updates.push({ ...message, at: clock.now() });
    },
    async postEphemeral() {},
    async dm(userId, text, blocks) {
      return chat.post({ channel: `D${userId}`, text, ...(blocks ? { blocks } : {}) });
    },
    async lookupUserIdByEmail() {
      return undefined;
    },
    async userGroupMembers() {
      return [];
    },
    async permalink(channel, ts) {
      return `https://fake.slack.test/archives/${channel}/p${ts.replace('.', '')}`;
    },
  };
  return chat;
}
