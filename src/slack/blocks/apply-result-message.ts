import type { Block } from '../../ports/chat.js';
import type { ChangeRecord } from '../../rollout/change-record.js';
import { targetKey } from '../../rollout/change-record.js';
import { plural } from '../../shared/format.js';
import { type TargetNoun, targetNoun } from '../../shared/target-noun.js';
import { codeText, contextBlock, escapeCut, escapeMrkdwn, fitLines, mrkdwnSection, SECTION_MAX } from './block-text.js';

/** What to run after a failed apply: a drain or a revert is redone by its own command, not by a new rollout plan. */
function retryHint(change: ChangeRecord): string {
  if (change.kind === 'drain') return '`/ami drain <change-id>` lists the executors again.';
  if (change.kind === 'revert' && change.revertOf) return `\`/ami revert ${change.revertOf}\` plans the revert again.`;
  return 'plan again (`/ami plan`) to finish what is left.';
}

/** The thread reply after an apply: what changed, what was left alone and why, what the re-read confirmed (pure). */
export function applyResultMessage(
  change: ChangeRecord,
  target: TargetNoun = targetNoun(),
): { text: string; blocks?: Block[] } {
  const r = change.result;
  if (!r) return { text: `${change._id} has not been applied.` };
  const [noun, nouns] = change.kind === 'drain' ? ['instance', 'instances'] : [target.short, target.shortMany];
  if (r.status === 'expired') {
    const text = `:hourglass: ${change._id} expired without being applied: ${r.reason ?? 'too late'}. Nothing was written.`;
    return {
      text,
      blocks: [mrkdwnSection(escapeMrkdwn(text)), contextBlock('Plan again (`/ami plan`) for a new window.')],
    };
  }
  if (r.status === 'failed') {
    // The error quotes AWS/Domino: escaped in the fallback text as in the block (notifications render mrkdwn).
    const text = `:x: Applying ${change._id} failed: ${escapeCut(r.error ?? 'unknown error', 2_000)}`;
    const verified =
      r.verified.length > 0
        ? `\nThe re-read found ${plural(r.verified.length, noun, nouns)} already on the target.`
        : '';
    return {
      text,
      blocks: [
        mrkdwnSection(`${text}${verified}`),
        contextBlock(`Nothing is retried on its own: ${retryHint(change)}`),
      ],
    };
  }
  const blocks: Block[] = [];
  if (change.kind === 'drain') {
    blocks.push(
      mrkdwnSection(`:white_check_mark: ${change._id}: terminated ${plural(r.applied.length, 'stopped executor')}.`),
    );
    const skipped = (r.skipped ?? []).map((s) => `• ${codeText(s.id)}: ${escapeMrkdwn(s.detail)}`);
    if (skipped.length > 0)
      blocks.push(mrkdwnSection(`*Not terminated (${skipped.length})*\n${fitLines(skipped, SECTION_MAX - 40)}`));
  } else {
    const headline = `${change._id}: ${plural(r.applied.length, noun, nouns)} changed, ${r.verified.length}/${change.updates.length} verified on their target`;
    const icon = r.conflicts.length > 0 || r.unverified.length > 0 ? ':warning:' : ':white_check_mark:';
    blocks.push(mrkdwnSection(`${icon} ${headline}.`));
    if (r.conflicts.length > 0) {
      const lines = r.conflicts.map(
        (c) =>
          `• *${escapeMrkdwn(c.label)}* ${codeText(c.id)}: expected ${escapeMrkdwn(c.expected)}, found ${c.found ? escapeMrkdwn(c.found) : 'nothing'}`,
      );
      blocks.push(
        mrkdwnSection(
          `*Conflicts (${r.conflicts.length})*: changed by someone else since the plan, left alone\n${fitLines(lines, SECTION_MAX - 90)}`,
        ),
      );
    }
    if (r.unverified.length > 0) {
      // Entries are target keys (a tier's type:id, a node group's key): show its label and id instead.
      const shown = r.unverified.map((key) => {
        const tier = change.updates.find((t) => targetKey(t) === key || t.id === key);
        return tier ? `${escapeMrkdwn(tier.label)} \`${escapeMrkdwn(tier.id)}\`` : escapeMrkdwn(key);
      });
      blocks.push(mrkdwnSection(`:warning: Not confirmed by the re-read: ${fitLines(shown, SECTION_MAX - 60)}`));
    }
    const machines =
      target.kind === 'eks-node-groups'
        ? 'EKS replaced the nodes of each updated node group (draining the old ones); new nodes boot from the new launch template version.'
        : 'Running executors keep their old AMI; new executors boot from the new one.';
    blocks.push(contextBlock(`${machines} \`/ami revert ${change._id}\` undoes this change.`));
  }
  return {
    text: `${change._id} applied: ${r.applied.length} ${noun}(s) changed, ${r.conflicts.length} conflict(s).`,
    blocks,
  };
}
