import type { ChatContent } from '../ports/chat.js';

/** What a use case answers the person who asked (sent ephemerally by the Slack layer), rendered by a presenter. */
export type Reply = ChatContent;
