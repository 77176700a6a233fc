import type { Block } from '../../ports/chat.js';
import { escapeMrkdwn } from './block-text.js';

const COMMANDS: Array<[string, string]> = [
  [
    '/ami bake [deployment] [--images a,b] [--no-reboot] [--note "text"]',
    'bake a new executor AMI from the executor template',
  ],
  ['/ami status [bake-id]', 'running and recent bakes, or one bake'],
  ['/ami cancel <bake-id>', 'stop a bake: template back to its state, unfinished AMI deregistered'],
  ['/ami review [deployment]', 'post the AMI review report (tiers, AMI ages, images in use) with its buttons'],
  [
    '/ami test <bake-id|ami-id> [--keep]',
    'point only the test tier at the AMI, time a Domino job on a fresh executor, then put the tier back (unless --keep)',
  ],
  ['/ami cancel <test-id>', 'stop a running AMI test and its Domino job'],
  [
    '/ami plan <bake-id|ami-id> [--at "YYYY-MM-DD HH:MM" [--for 2h | --until "YYYY-MM-DD HH:MM"]] [--override-test "reason"]',
    'needs a passed test of a bake of this deployment (or an override with a reason); snapshot every tier, plan the change of the standard ones, tell their users, ask for approval',
  ],
  ['/ami revert <change-id>', 'plan putting back the AMIs recorded by an applied change (approval needed)'],
  ['/ami drain <change-id>', 'list executors still on old AMIs; terminate the stopped ones after approval'],
  ['/ami history [count]', 'recent tests, decisions, applies, reverts and drains (audit trail)'],
  ['/ami help', 'this list'],
];

/** The `/ami help` reply (pure). `prefix` explains why help is shown (e.g. an unknown word). */
export function helpMessage(rawPrefix?: string): { text: string; blocks: Block[] } {
  // The prefix echoes what was typed (an unknown word): it carries no markup of ours that uses <, > or &.
  const prefix = rawPrefix === undefined ? undefined : escapeMrkdwn(rawPrefix);
  const lines = COMMANDS.map(([usage, what]) => `\`${usage}\`\n      ${what}`).join('\n');
  const text = `${prefix ? `${prefix}\n` : ''}ami-bot commands:\n${COMMANDS.map(([u]) => u).join('\n')}`;
  const blocks: Block[] = [];
  if (prefix) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: prefix } });
  blocks.push(
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*ami-bot* bakes, tests and rolls out Domino executor AMIs.\n${lines}` },
    },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Commands work in the ops channel(s) for ami-bot admins only.' }],
    },
  );
  return { text, blocks };
}
