import type { ChangeRecord, DrainInstance } from '../../rollout/change-record.js';
import { escapeMrkdwn } from './block-text.js';

/** One line per tier/instance of a change: shared by the approval message and the full-list replies (pure). */

const tierName = (tier: { id: string; label: string }) =>
  tier.label === tier.id
    ? `\`${escapeMrkdwn(tier.id)}\``
    : `*${escapeMrkdwn(tier.label)}* \`${escapeMrkdwn(tier.id)}\``;

export function updateLines(change: ChangeRecord): string[] {
  return change.updates.map((tier) =>
    change.kind === 'rollout'
      ? `• ${tierName(tier)} from ${tier.from}`
      : `• ${tierName(tier)}: ${tier.from} → ${tier.to}`,
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
      `• \`${i.id}\` ${i.name ? `${escapeMrkdwn(i.name)} ` : ''}(tier \`${escapeMrkdwn(i.tierId)}\`, ${i.imageId}, ${i.state})`,
  );
}

export const KIND_TITLE: Record<ChangeRecord['kind'], string> = {
  rollout: 'Rollout plan',
  revert: 'Revert plan',
  drain: 'Drain old executors',
};
