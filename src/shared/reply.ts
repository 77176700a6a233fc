import type { Block } from '../ports/chat.js';

/** What a use case answers the person who asked (sent ephemerally by the Slack layer). */
export interface Reply {
  text: string;
  blocks?: Block[];
}

export const reply = (text: string): Reply => ({ text });
