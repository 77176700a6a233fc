import type { KnownBlock } from '@slack/types';

/** The chat port (Slack): messages, DMs and the user look-ups the bot needs. */

/** Block Kit blocks, typed by Slack's own @slack/types: a builder that writes a field Slack does not know fails to compile. */
export type Block = KnownBlock;

export interface ChatMessage {
  channel: string;
  text: string;
  blocks?: Block[];
  threadTs?: string;
}

export interface PostedMessage {
  channel: string;
  ts: string;
}

export interface ChatPort {
  post(message: ChatMessage): Promise<PostedMessage>;
  update(message: ChatMessage & { ts: string }): Promise<void>;
  postEphemeral(message: ChatMessage & { user: string }): Promise<void>;
  /** Opens (or reuses) the DM with the user and posts there. */
  dm(userId: string, text: string, blocks?: Block[]): Promise<PostedMessage>;
  lookupUserIdByEmail(email: string): Promise<string | undefined>;
  userGroupMembers(groupId: string): Promise<string[]>;
  permalink(channel: string, ts: string): Promise<string | undefined>;
}

/** A message's content as the chat shows it: the notification text and its blocks (built by `slack/`). */
export interface ChatContent {
  text: string;
  blocks?: Block[];
}
