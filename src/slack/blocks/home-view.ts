import { SANDBOX_NOTICE, simulatedTimeNote } from '../../adapters/slack/sandbox-chat.js';
import type { HomeAmiSummary } from '../../bake/bake-presenter.js';
import type { BakeRecord } from '../../bake/bake-record.js';
import type { DeploymentKind } from '../../config.js';
import type { Block } from '../../ports/chat.js';
import type { SimTime } from '../../ports/clock.js';
import { truncate } from '../../shared/format.js';
import { helpMessage } from '../commands/command-table.js';
import { bakeListMessage } from './bake-list.js';
import { homeAmiBlocks } from './home-amis.js';

/** What ami-bot rolls out, by the configured deployments' kinds (tiers' executors, EKS node groups, or both). */
function whatItRollsOut(kinds: readonly DeploymentKind[] = []): string {
  const eks = kinds.includes('eks-node-groups');
  const tiers = kinds.length === 0 || kinds.includes('hardware-tiers');
  if (eks && tiers) return 'Domino executor AMIs and the AMIs of EKS node groups (their launch templates)';
  return eks ? "the AMIs of Domino's EKS node groups (their launch templates)" : 'Domino executor AMIs';
}

/** The App Home tab (pure): what ami-bot is, the recent bakes, the AMIs they left, and the commands. */
export function homeView(input: {
  bakes: BakeRecord[];
  /** The AMI lifecycle's summary per deployment (none: no section). */
  amis?: readonly HomeAmiSummary[];
  isAdmin: boolean;
  now: Date;
  sandbox: boolean;
  /** Sandbox: the simulator's speed, so the bakes' times are read as simulated. */
  simSpeed?: SimTime;
  kinds?: DeploymentKind[];
}): {
  type: 'home';
  blocks: Block[];
} {
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: 'ami-bot' } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `Bakes, tests and rolls out ${whatItRollsOut(input.kinds)} from the ops channel, with a live progress thread and two-person approval.`,
      },
    },
  ];
  if (input.sandbox) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text:
            input.simSpeed === undefined
              ? SANDBOX_NOTICE
              : `${SANDBOX_NOTICE}  ·  ${simulatedTimeNote(input.simSpeed)}`,
        },
      ],
    });
  }
  if (!input.isAdmin) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: 'You are not an ami-bot admin: you can read this page; commands need an admin.' },
    });
  }
  const list = bakeListMessage(input.bakes, input.now);
  blocks.push(
    { type: 'divider' },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(list.text, 2900) } },
    ...(input.amis && input.amis.length > 0 ? [{ type: 'divider' } as const, ...homeAmiBlocks(input.amis)] : []),
    { type: 'divider' },
    ...helpMessage().blocks,
  );
  return { type: 'home', blocks: blocks.slice(0, 100) };
}
