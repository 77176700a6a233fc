import type { HomeAmiSummary } from '../../bake/bake-presenter.js';
import type { Block } from '../../ports/chat.js';
import { plural } from '../../shared/format.js';
import { chunkLines, contextBlock, escapeCut, escapeMrkdwn, mrkdwnSection, SECTION_MAX } from './block-text.js';
import { inventorySummaryLine } from './review-sections.js';

/** At most this many deployments get a line each (the App Home has 100 blocks for everything). */
const MAX_DEPLOYMENTS = 20;
const NOTE_MAX = 500;

/**
 * The App Home's "AMIs and snapshots" section (pure): per deployment the AMI lifecycle's numbers — AMIs, snapshot
 * GiB, the monthly cost estimate, what the policy would retire, orphans — the same line the quarterly review
 * carries, or why it could not be read; then how the cost is estimated.
 */
export function homeAmiBlocks(amis: readonly HomeAmiSummary[]): Block[] {
  if (amis.length === 0) return [];
  const shown = amis.slice(0, MAX_DEPLOYMENTS);
  const lines = shown.map((a) =>
    a.summary
      ? `• ${inventorySummaryLine(a.deployment, a.summary)}`
      : `• ${escapeMrkdwn(a.deployment)}: ${escapeCut(a.note ?? 'not read', NOTE_MAX)}`,
  );
  if (amis.length > shown.length) lines.push(`…and ${plural(amis.length - shown.length, 'more deployment')}.`);
  const prices = [...new Set(shown.map((a) => a.pricePerGbMonth))].map((p) => `$${p}`).join(' / ');
  return [
    mrkdwnSection('*AMIs and snapshots*'),
    ...chunkLines(lines, SECTION_MAX).map(mrkdwnSection),
    contextBlock(
      `Cost is an estimate: snapshot GiB x ${prices}/GB-month (retention.pricePerGbMonth); EBS bills the blocks a snapshot stores, which can be less. \`/ami images\` lists each AMI.`,
    ),
  ];
}
