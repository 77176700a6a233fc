import { setTimeout as delay } from 'node:timers/promises';
import type { WebClient } from '@slack/web-api';
import { AppError } from '../../errors.js';
import type { ChatPort } from '../../ports/chat.js';
import type { Logger } from '../../shared/logger.js';
import type { Metrics } from '../../shared/metrics.js';
import { createRatePacer, type RatePacer } from './rate-pacer.js';

export interface SlackChatOptions {
  client: WebClient;
  logger: Logger;
  /**
   * Waits out Retry-After. Always wall time, never the (possibly simulated) clock: Slack's limits
   * are real seconds, in sandbox mode too.
   */
  sleep?: (ms: number) => Promise<void>;
  metrics?: Metrics;
  /** How many times one call waits out a 429 before giving up (each wait is Slack's Retry-After). */
  maxRateLimitWaits?: number;
}

interface RateLimited {
  code?: string;
  retryAfter?: number;
}

/**
 * ChatPort on Slack's Web API. The WebClient is created with `rejectRateLimitedCalls: true`, so a
 * 429 comes back here as an error carrying Retry-After: we wait exactly that long and try again,
 * so nothing is dropped and the wait is visible in our logs.
 */
export function createSlackChat(options: SlackChatOptions): ChatPort {
  const { client, logger } = options;
  const sleep = options.sleep ?? ((ms: number) => delay(ms).then(() => undefined));
  const maxWaits = options.maxRateLimitWaits ?? 8;
  const dmChannels = new Map<string, string>();

  const pacers = new Map<string, RatePacer>();
  const pacerOf = (method: string) => {
    let pacer = pacers.get(method);
    if (!pacer) {
      pacer = createRatePacer();
      pacers.set(method, pacer);
    }
    return pacer;
  };

  async function call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    const pacer = pacerOf(method);
    for (let waits = 0; ; waits++) {
      await pacer.slot();
      try {
        const result = await fn();
        pacer.succeeded();
        return result;
      } catch (error) {
        const limited = error as RateLimited;
        if (limited.code !== 'slack_webapi_rate_limited_error' || waits >= maxWaits) {
          const code = (error as { data?: { error?: string } }).data?.error ?? limited.code ?? 'unknown';
          options.metrics?.slackErrors.inc({ method, error: code });
          throw error;
        }
        options.metrics?.slackRateLimited.inc({ method });
        const seconds = limited.retryAfter ?? 1;
        pacer.rateLimited(seconds);
        logger.info({ method, retryAfterSeconds: seconds }, 'Slack rate limit: waiting as asked');
        await sleep(seconds * 1000);
      }
    }
  }

  return {
    async post(message) {
      const result = await call('chat.postMessage', () =>
        client.chat.postMessage({
          channel: message.channel,
          text: message.text,
          ...(message.blocks ? { blocks: message.blocks } : {}),
          ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
          unfurl_links: false,
        }),
      );
      return { channel: result.channel ?? message.channel, ts: result.ts ?? '' };
    },
    async update(message) {
      await call('chat.update', () =>
        client.chat.update({
          channel: message.channel,
          ts: message.ts,
          text: message.text,
          ...(message.blocks ? { blocks: message.blocks } : {}),
        }),
      );
    },
    async postEphemeral(message) {
      await call('chat.postEphemeral', () =>
        client.chat.postEphemeral({
          channel: message.channel,
          user: message.user,
          text: message.text,
          ...(message.blocks ? { blocks: message.blocks } : {}),
          ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
        }),
      );
    },
    async dm(userId, text, blocks) {
      // Posting to the user id lands in the app's DM with that user: one call per DM instead of
      // conversations.open (Tier 3, ~50/min, which would pace a 2,000-user announcement to 40 minutes) + post.
      // A workspace that refuses that gets the DM opened first, once per user.
      const opened = dmChannels.get(userId);
      if (!opened) {
        try {
          const result = await call('chat.postMessage', () =>
            client.chat.postMessage({ channel: userId, text, ...(blocks ? { blocks } : {}) }),
          );
          return { channel: result.channel ?? userId, ts: result.ts ?? '' };
        } catch (error) {
          if ((error as { data?: { error?: string } }).data?.error !== 'channel_not_found') throw error;
          logger.info({ userId }, 'posting to the user id was refused: opening the DM first');
        }
      }
      let channel = opened;
      if (!channel) {
        const result = await call('conversations.open', () => client.conversations.open({ users: userId }));
        channel = result.channel?.id;
        if (!channel) throw new AppError('slack_dm_failed', `Slack did not open a DM with <@${userId}>.`);
        dmChannels.set(userId, channel);
      }
      const target = channel;
      const result = await call('chat.postMessage', () =>
        client.chat.postMessage({ channel: target, text, ...(blocks ? { blocks } : {}) }),
      );
      return { channel: target, ts: result.ts ?? '' };
    },
    async lookupUserIdByEmail(email) {
      try {
        const result = await call('users.lookupByEmail', () => client.users.lookupByEmail({ email }));
        return result.user?.id;
      } catch (error) {
        if ((error as { data?: { error?: string } }).data?.error === 'users_not_found') return undefined;
        throw error;
      }
    },
    async userGroupMembers(groupId) {
      const result = await call('usergroups.users.list', () => client.usergroups.users.list({ usergroup: groupId }));
      return result.users ?? [];
    },
    async permalink(channel, ts) {
      try {
        const result = await call('chat.getPermalink', () => client.chat.getPermalink({ channel, message_ts: ts }));
        return result.permalink;
      } catch (error) {
        logger.debug({ err: error }, 'no permalink');
        return undefined;
      }
    },
  };
}
