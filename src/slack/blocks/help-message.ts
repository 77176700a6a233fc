import type { Block } from '../../ports/chat.js';
import { escapeMrkdwn } from './block-text.js';

/** One line of the help: a command's usage and what it does. */
export interface HelpEntry {
  usage: string;
  summary: string;
}

/**
 * The `/ami help` reply for the given lines (pure; the lines come from the subcommand table,
 * `slack/commands/command-table.ts`). `prefix` explains why help is shown (e.g. an unknown word). One help serves
 * every deployment, so it names both kinds' machines: executors (hardware tiers) and EKS nodes.
 */
export function helpBlocks(entries: readonly HelpEntry[], rawPrefix?: string): { text: string; blocks: Block[] } {
  // The prefix echoes what was typed (an unknown word): it carries no markup of ours that uses <, > or &.
  const prefix = rawPrefix === undefined ? undefined : escapeMrkdwn(rawPrefix);
  const lines = entries.map(({ usage, summary }) => `\`${usage}\`\n      ${summary}`).join('\n');
  const text = `${prefix ? `${prefix}\n` : ''}ami-bot commands:\n${entries.map(({ usage }) => usage).join('\n')}`;
  const blocks: Block[] = [];
  if (prefix) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: prefix } });
  blocks.push(
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*ami-bot* bakes, tests and rolls out Domino executor (or EKS node) AMIs.\n${lines}`,
      },
    },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Commands work in the ops channel(s) for ami-bot admins only.' }],
    },
  );
  return { text, blocks };
}
