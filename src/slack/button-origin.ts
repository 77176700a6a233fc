import type { ButtonOrigin } from '../shared/button-origin.js';

const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value.slice(0, 100) : undefined);
const field = (value: unknown, key: string) =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

/** The origin of a block_actions click: `team`/`enterprise`, `channel` (or the container's), `message`. */
export function buttonOriginOf(body: unknown): ButtonOrigin {
  const container = field(body, 'container');
  const message = field(body, 'message');
  const values = {
    teamId: text(field(field(body, 'team'), 'id')) ?? text(field(field(body, 'user'), 'team_id')),
    enterpriseId: text(field(field(body, 'enterprise'), 'id')),
    channelId: text(field(field(body, 'channel'), 'id')) ?? text(field(container, 'channel_id')),
    messageTs: text(field(message, 'ts')) ?? text(field(container, 'message_ts')),
    threadTs: text(field(message, 'thread_ts')) ?? text(field(container, 'thread_ts')),
  };
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as ButtonOrigin;
}
