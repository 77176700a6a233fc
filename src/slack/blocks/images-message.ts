import type { InventoryView } from '../../lifecycle/inventory-text.js';
import type { Block } from '../../ports/chat.js';
import { chunkLines, contextBlock, fitLines, mrkdwnSection, SECTION_MAX } from './block-text.js';
import { renderMrkdwnCut } from './render-text.js';

/**
 * Character budgets that keep the whole message under Slack's ~12k characters of block text (bolt-js#2509):
 * the AMI lines get most of it, the orphan sweep and the note the rest.
 */
const BUDGET = { heading: 600, amis: 8_000, orphans: 2_000, note: 500, line: 600 } as const;

/**
 * `/ami images`: the heading, one line per AMI (cut with "…and N more AMIs" when they do not fit), the orphan
 * sweep and the note that the cost is an estimate (pure).
 */
export function imagesMessage(view: InventoryView): { text: string; blocks: Block[] } {
  const heading = renderMrkdwnCut(view.heading, BUDGET.heading);
  const lines = view.amis.map((line) => `• ${renderMrkdwnCut(line, BUDGET.line)}`);
  const amis = fitLines(lines, BUDGET.amis, (n) => `…and ${n} more AMIs.`);
  const [first, ...rest] = view.orphans.map((line) => renderMrkdwnCut(line, BUDGET.line));
  const orphans = fitLines([first ?? '', ...rest.map((line) => `• ${line}`)], BUDGET.orphans, (n) => `…and ${n} more.`);
  const blocks: Block[] = [
    mrkdwnSection(`*${heading}*`),
    ...(lines.length === 0
      ? [mrkdwnSection('No AMI of this deployment’s bakes is registered.')]
      : chunkLines(amis.split('\n'), SECTION_MAX).map(mrkdwnSection)),
    ...chunkLines(orphans.split('\n'), SECTION_MAX).map(mrkdwnSection),
    contextBlock(renderMrkdwnCut(view.note, BUDGET.note)),
  ];
  return { text: heading, blocks };
}
