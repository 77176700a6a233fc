/** The chat port (Slack): messages, DMs and the user look-ups the bot needs. */

/** Block Kit blocks; kept loose here so builders stay pure and adapters stay thin. */
export type Block = Record<string, unknown>;

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
