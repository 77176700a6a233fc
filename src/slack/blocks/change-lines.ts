import type { ChangeRecord, DrainInstance } from '../../rollout/change-record.js';
import { codeText, escapeMrkdwn } from './block-text.js';

/** One line per tier/instance of a change: shared by the approval message and the full-list replies (pure). */

export const tierName = (tier: { id: string; label: string }) =>
  tier.label === tier.id ? codeText(tier.id) : `*${escapeMrkdwn(tier.label)}* ${codeText(tier.id)}`;

export function updateLines(change: ChangeRecord): string[] {
  return change.updates.map((tier) =>
    change.kind === 'rollout'
      ? `• ${tierName(tier)} from ${escapeMrkdwn(tier.from)}`
      : `• ${tierName(tier)}: ${escapeMrkdwn(tier.from)} → ${escapeMrkdwn(tier.to)}`,
  );
}

export function skippedLines(change: ChangeRecord): string[] {
  return change.skipped.map((tier) => `• ${tierName(tier)}: ${escapeMrkdwn(tier.detail)}`);
}

export function unchangedText(change: ChangeRecord): string {
  return change.unchanged.map((tier) => escapeMrkdwn(tier.label)).join(', ');
}

export function instanceLines(instances: readonly DrainInstance[]): string[] {
  return instances.map(
    (i) =>
      `• ${codeText(i.id)} ${i.name ? `${escapeMrkdwn(i.name)} ` : ''}(tier ${codeText(i.tierId)}, ${escapeMrkdwn(i.imageId)}, ${escapeMrkdwn(i.state)})`,
  );
}

export const KIND_TITLE: Record<ChangeRecord['kind'], string> = {
  rollout: 'Rollout plan',
  revert: 'Revert plan',
  drain: 'Drain old executors',
};
