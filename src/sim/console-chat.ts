import type { Block, ChatMessage, ChatPort, PostedMessage } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import { blockKitErrors, slackPlatformError } from './block-kit-limits.js';
import { renderBlocks } from './block-kit-render.js';
import type { Directory } from './mrkdwn.js';
import { mrkdwnToText } from './mrkdwn.js';

export interface ChatRecord {
  /** Short handle shown in the console (`m3`), so updates can say which message they change. */
  id: string;
  kind: 'message' | 'dm';
  channel: string;
  ts: string;
  threadTs?: string;
  /** For a DM: the user it was sent to. */
  user?: string;
  text: string;
  blocks?: Block[];
  updates: number;
  postedAt: Date;
}

export interface EphemeralRecord {
  channel: string;
  user: string;
  threadTs?: string;
  text: string;
  blocks?: Block[];
}

export interface ConsoleChatOptions {
  write(line: string): void;
  clock: Clock;
  users?: Record<string, { name: string; email: string }>;
  groups?: Record<string, string[]>;
  /** Channel id → name, for `#domino-ops` instead of `#C0OPS00001`. */
  channels?: Record<string, string>;
  /** Workspace host of permalinks. */
  workspace?: string;
}

export type ConsoleChat = ChatPort & {
  messages: ChatRecord[];
  ephemerals: EphemeralRecord[];
  dms: ChatRecord[];
  /** Notes about Slack limits the bot came close to (e.g. chat.update above Tier 3). */
  warnings: string[];
  /** The message as the console shows it (blocks if any, else text). */
  render(message: { text: string; blocks?: Block[] }): string[];
};

/**
 * An in-memory Slack workspace printed to a terminal: what the demo shows and what tests assert on. It
 * rejects what Slack rejects (invalid blocks, unknown message or user group), so the demo cannot pass
 * where production would fail.
 */
export function createConsoleChat(options: ConsoleChatOptions): ConsoleChat {
  const { write, clock } = options;
  const users = options.users ?? {};
  const groups = options.groups ?? {};
  const channels = options.channels ?? {};
  const messages: ChatRecord[] = [];
  const ephemerals: EphemeralRecord[] = [];
  const dms: ChatRecord[] = [];
  const warnings: string[] = [];
  const updateTimes: number[] = [];
  let seq = 0;

  const directory: Directory = {
    userName: (id) => users[id]?.name,
    channelName: (id) => channels[id],
  };
  const render = (message: { text: string; blocks?: Block[] }): string[] =>
    message.blocks && message.blocks.length > 0
      ? renderBlocks(message.blocks, directory)
      : mrkdwnToText(message.text, directory).split('\n');
  const where = (channel: string) => (channel.startsWith('D') ? `DM ${channel}` : `#${channels[channel] ?? channel}`);
  const time = () => clock.now().toISOString().slice(11, 19);
  const indent = (record: { threadTs?: string }) => (record.threadTs ? '      ' : '  ');
  const print = (header: string, lines: string[], pad: string) => {
    write(header);
    for (const line of lines) write(`${pad}${line}`);
  };
  const validate = (message: { text: string; blocks?: Block[] }) => {
    if ((message.blocks?.length ?? 0) === 0 && message.text.trim() === '') throw slackPlatformError('no_text');
    const errors = blockKitErrors(message.blocks ?? []);
    if (errors.length > 0) throw slackPlatformError('invalid_blocks', errors);
  };
  const nextTs = () => {
    seq++;
    return `${Math.floor(clock.now().getTime() / 1000)}.${String(seq).padStart(6, '0')}`;
  };
  const record = (kind: ChatRecord['kind'], message: ChatMessage, user?: string): ChatRecord => {
    const entry: ChatRecord = {
      id: `m${messages.length + 1}`,
      kind,
      channel: message.channel,
      ts: nextTs(),
      ...(message.threadTs ? { threadTs: message.threadTs } : {}),
      ...(user ? { user } : {}),
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks } : {}),
      updates: 0,
      postedAt: clock.now(),
    };
    messages.push(entry);
    return entry;
  };
  const handle = (ts: string | undefined) => messages.find((m) => m.ts === ts)?.id ?? ts;
  const requireUser = (userId: string) => {
    if (Object.keys(users).length > 0 && users[userId] === undefined) throw slackPlatformError('user_not_found');
  };

  return {
    messages,
    ephemerals,
    dms,
    warnings,
    render,
    async post(message) {
      validate(message);
      const entry = record('message', message);
      const header = message.threadTs
        ? `${time()}   ↳ ${where(message.channel)} · ${entry.id} (thread ${handle(message.threadTs)})`
        : `${time()} ${where(message.channel)} · ${entry.id}`;
      print(header, render(message), indent(entry));
      return { channel: entry.channel, ts: entry.ts };
    },
    async update(message) {
      validate(message);
      const entry = messages.find((m) => m.ts === message.ts && m.channel === message.channel);
      if (entry === undefined) throw slackPlatformError('message_not_found');
      const before = render(entry);
      entry.text = message.text;
      if (message.blocks) entry.blocks = message.blocks;
      else delete entry.blocks;
      entry.updates++;
      noteUpdateRate(clock.now().getTime());
      const after = render(entry);
      // Progress messages are edited often: show only the lines that changed, not the whole message again.
      const changed = after.filter((line) => !before.includes(line));
      print(
        `${time()} ✎ updated ${entry.id} in ${where(entry.channel)}`,
        changed.length > 0 ? changed : ['(no visible change)'],
        indent(entry),
      );
    },
    async postEphemeral(message) {
      validate(message);
      requireUser(message.user);
      ephemerals.push({
        channel: message.channel,
        user: message.user,
        text: message.text,
        ...(message.threadTs ? { threadTs: message.threadTs } : {}),
        ...(message.blocks ? { blocks: message.blocks } : {}),
      });
      const who = users[message.user]?.name ?? message.user;
      print(
        `${time()} ${message.threadTs ? '  ↳ ' : ''}${where(message.channel)} (only visible to @${who})`,
        render(message),
        indent(message),
      );
    },
    async dm(userId, text, blocks) {
      requireUser(userId);
      const message = { channel: `D${userId.replace(/^[UW]/, '')}`, text, ...(blocks ? { blocks } : {}) };
      validate(message);
      const entry = record('dm', message, userId);
      dms.push(entry);
      print(`${time()} ✉ DM to @${users[userId]?.name ?? userId} · ${entry.id}`, render(message), '  ');
      return { channel: entry.channel, ts: entry.ts } satisfies PostedMessage;
    },
    async lookupUserIdByEmail(email) {
      const wanted = email.toLowerCase();
      return Object.entries(users).find(([, u]) => u.email.toLowerCase() === wanted)?.[0];
    },
    async userGroupMembers(groupId) {
      const members = groups[groupId];
      if (members === undefined) throw slackPlatformError('no_such_subteam');
      return [...members];
    },
    async permalink(channel, ts) {
      const entry = messages.find((m) => m.channel === channel && m.ts === ts);
      if (entry === undefined) return undefined;
      const base = `https://${options.workspace ?? 'acme'}.slack.com/archives/${channel}/p${ts.replace('.', '')}`;
      return entry.threadTs ? `${base}?thread_ts=${entry.threadTs}&cid=${channel}` : base;
    },
  };

  /** chat.update is Tier 3 (~50 per minute): warn once per minute above it, as production would be throttled. */
  function noteUpdateRate(nowMs: number) {
    updateTimes.push(nowMs);
    while ((updateTimes[0] ?? nowMs) < nowMs - 60_000) updateTimes.shift();
    // Warn when the window crosses the limit, not on every call above it.
    if (updateTimes.length === 51) {
      const warning = `chat.update: over 50 calls within a minute, above Slack's Tier 3 (~50/min)`;
      warnings.push(warning);
      write(`⚠ ${warning}`);
    }
  }
}
