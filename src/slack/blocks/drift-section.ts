import type { Block } from '../../ports/chat.js';
import type { ChangeRecord } from '../../rollout/change-record.js';
import { driftLine, driftSummary, driftVariables, revertDriftSummary } from '../../rollout/terraform-drift-text.js';
import { icon, text, user } from '../../shared/text.js';
import { fitLines, mrkdwnSection, SECTION_MAX } from './block-text.js';
import { renderMrkdwn } from './render-text.js';

type DriftFacts = Pick<ChangeRecord, 'notices' | 'noticesAcceptedBy'> &
  Partial<Pick<ChangeRecord, 'kind' | 'revertOf' | 'noticesCarriedFrom'>>;

/** Who accepted the drift: the planning admin, or (a revert) the admin of the reverted change, carried over. */
function acceptedText(change: DriftFacts) {
  if (!change.noticesAcceptedBy) return text``;
  return change.noticesCarriedFrom
    ? text` Drift accepted by ${user(change.noticesAcceptedBy)} for ${change.noticesCarriedFrom}, carried over to this revert (the same node groups and launch templates).`
    : text` Accepted by ${user(change.noticesAcceptedBy)} when planning.`;
}

/**
 * The plan's Terraform drift section (pure): the planned node groups whose launch templates Terraform manages,
 * the variable change that would make Terraform agree, and who accepted the drift. None for a change without.
 * A revert's says that it puts back what Terraform's variables named before the reverted change.
 */
export function driftSection(change: DriftFacts): Block[] {
  const notices = (change.notices ?? []).filter((notice) => notice.kind === 'terraform-drift');
  if (notices.length === 0) return [];
  const head =
    change.kind === 'revert' && change.revertOf
      ? renderMrkdwn(text`${icon('warning')} *Terraform*: ${revertDriftSummary(notices, change.revertOf)}`)
      : renderMrkdwn(text`${icon('warning')} *Drifts from Terraform*: ${driftSummary(notices)}`);
  const lines = driftVariables(notices).map((entry) => renderMrkdwn(text`• ${driftLine(entry)}`));
  const tail = renderMrkdwn(acceptedText(change));
  const room = SECTION_MAX - head.length - tail.length - 2;
  return [mrkdwnSection(`${head}\n${fitLines(lines, room)}${tail ? `\n${tail.trim()}` : ''}`)];
}

/** The same, short, for the Approve button's confirm dialog. */
export function driftConfirmText(change: Pick<ChangeRecord, 'notices'> & Partial<Pick<ChangeRecord, 'kind'>>): string {
  const count = change.notices?.filter((notice) => notice.kind === 'terraform-drift').length ?? 0;
  if (count === 0) return '';
  const groups = `${count} node group${count === 1 ? '' : 's'}`;
  return change.kind === 'revert'
    ? `Launch templates Terraform manages (${groups}).`
    : `Drifts from Terraform (${groups}).`;
}
