import type { ActionsBlock } from '@slack/types';
import type { PruneReportView, PruneView } from '../../lifecycle/prune-text.js';
import type { Block } from '../../ports/chat.js';
import { ACTION_IDS } from '../action-ids.js';
import { chunkLines, contextBlock, fitLines, mrkdwnSection, SECTION_MAX } from './block-text.js';
import { renderMrkdwnCut } from './render-text.js';

/** Budgets that keep a prune message under Slack's ~12k characters of block text. */
const BUDGET = { heading: 900, retire: 6_000, kept: 3_000, line: 500 } as const;

const list = (lines: readonly string[], max: number, what: string) =>
  chunkLines(fitLines(lines, max, (n) => `…and ${n} more ${what}.`).split('\n'), SECTION_MAX).map(mrkdwnSection);

function decisionButtons(pruneId: string): ActionsBlock {
  const confirm = (title: string, body: string, yes: string) => ({
    title: { type: 'plain_text' as const, text: title.slice(0, 100) },
    text: { type: 'mrkdwn' as const, text: body.slice(0, 300) },
    confirm: { type: 'plain_text' as const, text: yes },
    deny: { type: 'plain_text' as const, text: 'Cancel' },
  });
  return {
    type: 'actions',
    block_id: `prune:${pruneId}`,
    elements: [
      {
        type: 'button',
        action_id: ACTION_IDS.pruneApprove,
        text: { type: 'plain_text', text: 'Approve' },
        style: 'primary',
        value: pruneId,
        confirm: confirm(
          `Approve ${pruneId}?`,
          'Deregisters the listed AMIs and deletes their snapshots. Each is checked again first: anything in use by then is kept.',
          'Approve',
        ),
      },
      {
        type: 'button',
        action_id: ACTION_IDS.pruneReject,
        text: { type: 'plain_text', text: 'Reject' },
        style: 'danger',
        value: pruneId,
        confirm: confirm(`Reject ${pruneId}?`, 'Nothing will be removed; /ami prune plans again.', 'Reject'),
      },
    ],
  };
}

/** The prune's approval message: the plan, what is kept, its status, and the buttons while it is open (pure). */
export function pruneMessage(view: PruneView): { text: string; blocks: Block[] } {
  const heading = renderMrkdwnCut(view.heading, BUDGET.heading);
  const retire = view.retire.map((line) => `• ${renderMrkdwnCut(line, BUDGET.line)}`);
  const kept = view.kept.map((line) => `• ${renderMrkdwnCut(line, BUDGET.line)}`);
  const blocks: Block[] = [
    mrkdwnSection(`*${heading}*`),
    ...(retire.length === 0
      ? [mrkdwnSection('Nothing to retire: the policy and the references keep every AMI.')]
      : [mrkdwnSection('*Retire*'), ...list(retire, BUDGET.retire, 'items')]),
    ...(kept.length === 0 ? [] : [mrkdwnSection('*Keep*'), ...list(kept, BUDGET.kept, 'AMIs')]),
    contextBlock(renderMrkdwnCut(view.status, 500)),
    ...(view.open && retire.length > 0 ? [decisionButtons(view.pruneId)] : []),
  ];
  return { text: heading, blocks };
}

/** The apply's report in the approval message's thread (pure). */
export function pruneReportMessage(view: PruneReportView): { text: string; blocks: Block[] } {
  const heading = renderMrkdwnCut(view.heading, BUDGET.heading);
  const lines = view.lines.map((line) => `• ${renderMrkdwnCut(line, BUDGET.line)}`);
  return { text: heading, blocks: [mrkdwnSection(heading), ...list(lines, 9_000, 'items')] };
}
