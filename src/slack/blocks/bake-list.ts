import type { BakeRecord } from '../../bake/bake-record.js';
import type { Block } from '../../ports/chat.js';
import { formatDuration, truncate } from '../../shared/format.js';
import { escapeCut, escapeMrkdwn, userMention } from './block-text.js';

const ICON: Record<BakeRecord['status'], string> = {
  running: ':gear:',
  compensating: ':broom:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  cancelled: ':octagonal_sign:',
};

/** `/ami status` without an id: one line per bake, newest first (pure). */
export function bakeListMessage(bakes: BakeRecord[], now: Date): { text: string; blocks?: Block[] } {
  if (bakes.length === 0) return { text: 'No bakes yet. Start one with `/ami bake`.' };
  const lines = bakes.map((bake) => {
    const end = bake.endedAt ?? now;
    const ami = bake.facts.imageId ? ` → ${escapeMrkdwn(bake.facts.imageId)}` : '';
    // Error messages quote outside text (AWS, docker, salt); a cancel's names its canceller, rendered as a mention.
    const error =
      bake.error && bake.status !== 'succeeded'
        ? ` — ${bake.error.code === 'cancelled' ? `cancelled by ${userMention(bake.cancelRequested?.by)}` : escapeCut(bake.error.message, 120)}`
        : '';
    return `${ICON[bake.status]} \`${bake._id}\` ${bake.deployment} by ${userMention(bake.requester)}, ${bake.status} (${formatDuration(end.getTime() - bake.createdAt.getTime())})${ami}${error}`;
  });
  const text = `Recent bakes:\n${lines.join('\n')}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 2900) } }] };
}
