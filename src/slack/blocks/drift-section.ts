import type { Block } from '../../ports/chat.js';
import type { ChangeRecord } from '../../rollout/change-record.js';
import { driftLine, driftSummary, driftVariables } from '../../rollout/terraform-drift-text.js';
import { icon, text, user } from '../../shared/text.js';
import { fitLines, mrkdwnSection, SECTION_MAX } from './block-text.js';
import { renderMrkdwn } from './render-text.js';

/**
 * The plan's Terraform drift section (pure): the planned node groups whose launch templates Terraform manages,
 * the variable change that would make Terraform agree, and who accepted the drift. None for a change without.
 */
export function driftSection(change: Pick<ChangeRecord, 'notices' | 'noticesAcceptedBy'>): Block[] {
  const notices = (change.notices ?? []).filter((notice) => notice.kind === 'terraform-drift');
  if (notices.length === 0) return [];
  const accepted = change.noticesAcceptedBy
    ? text` Accepted by ${user(change.noticesAcceptedBy)} when planning.`
    : text``;
  const head = renderMrkdwn(text`${icon('warning')} *Drifts from Terraform*: ${driftSummary(notices)}`);
  const lines = driftVariables(notices).map((entry) => renderMrkdwn(text`• ${driftLine(entry)}`));
  const tail = renderMrkdwn(accepted);
  const room = SECTION_MAX - head.length - tail.length - 2;
  return [mrkdwnSection(`${head}\n${fitLines(lines, room)}${tail ? `\n${tail.trim()}` : ''}`)];
}

/** The same, short, for the Approve button's confirm dialog. */
export function driftConfirmText(change: Pick<ChangeRecord, 'notices'>): string {
  const count = change.notices?.filter((notice) => notice.kind === 'terraform-drift').length ?? 0;
  return count > 0 ? `Drifts from Terraform (${count} node group${count === 1 ? '' : 's'}).` : '';
}
