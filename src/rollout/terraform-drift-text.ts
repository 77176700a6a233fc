import { plural } from '../shared/format.js';
import { code, joinText, type Text, text } from '../shared/text.js';
import type { ChangeRecord } from './change-record.js';
import type { TerraformDriftNotice } from './rollout-target.js';

/** The flag of `/ami plan` by which an admin accepts that the change drifts from Terraform's state. */
export const ACCEPT_DRIFT_FLAG = '--accept-terraform-drift';

/** The variable change that makes Terraform agree, one per module input (node groups sharing one are named once). */
export interface DriftVariable {
  /** `default_node_groups.compute.ami`; absent: the template's name does not say which module input it is. */
  variable?: string;
  ami: string;
  templates: string[];
  labels: string[];
  tags: Record<string, string>;
}

/** The notices grouped by the input to change (or, without one, by launch template), in a stable order. */
export function driftVariables(notices: readonly TerraformDriftNotice[]): DriftVariable[] {
  const byInput = new Map<string, DriftVariable>();
  for (const notice of notices) {
    const id = notice.variable ?? `template:${notice.templateId}`;
    const entry = byInput.get(id) ?? {
      ...(notice.variable ? { variable: notice.variable } : {}),
      ami: notice.ami,
      templates: [],
      labels: [],
      tags: {},
    };
    const template = notice.templateName ?? notice.templateId;
    if (!entry.templates.includes(template)) entry.templates.push(template);
    entry.labels.push(notice.label);
    Object.assign(entry.tags, notice.tags);
    byInput.set(id, entry);
  }
  return [...byInput.values()].sort((a, b) => (a.variable ?? '~').localeCompare(b.variable ?? '~'));
}

/** One line per input: the change to make in Terraform, and what it covers (template names and tags are outside text). */
export function driftLine(entry: DriftVariable): Text {
  const tags = joinText(
    Object.entries(entry.tags).map(([key, value]) => text`${key}=${value}`),
    ', ',
  );
  const templates = joinText(entry.templates, ', ');
  const groups = plural(entry.labels.length, 'node group');
  return entry.variable
    ? text`${code(`${entry.variable} = "${entry.ami}"`)} (launch template ${templates}, tagged ${tags}; ${groups})`
    : text`the node group module's ${code('ami')} input for launch template ${templates} (tagged ${tags}; ${groups}) = ${code(`"${entry.ami}"`)}`;
}

/** What the plan says of the drift, before the lines (the same words in the refusal and the plan). */
export function driftSummary(notices: readonly TerraformDriftNotice[]): Text {
  return text`${plural(notices.length, 'planned node group')} launch from templates Terraform manages: the change will drift from the Terraform state, and the next terraform apply would put the old AMI back. To make Terraform agree, set in its variables:`;
}

/** The plan refused until the admin accepts the drift: what it is, the variable change, and how to go on. */
export function driftRefusal(notices: readonly TerraformDriftNotice[], command: string): Text {
  const lines = driftVariables(notices).map((entry) => text`\n• ${driftLine(entry)}`);
  return text`${driftSummary(notices)}${joinText(lines, '')}\nNothing was planned. To proceed anyway, plan again with ${code(ACCEPT_DRIFT_FLAG)} (and the same other options): ${code(`${command} ${ACCEPT_DRIFT_FLAG}`)}.`;
}

/** What the plan of a revert says of templates Terraform manages: the revert goes back to what Terraform had. */
export function revertDriftSummary(notices: readonly TerraformDriftNotice[], revertOf: string): Text {
  return text`${plural(notices.length, 'planned node group')} launch from templates Terraform manages: the revert puts back the AMI Terraform's variables named before ${revertOf}, as a new launch template version (not the version Terraform made). If the variables were changed to follow ${revertOf}, set them back, or the next terraform apply would undo the revert:`;
}

/** One node group whose launch template Terraform manages: its name, the template and the tags (outside text). */
export function driftTargetLine(notice: TerraformDriftNotice): Text {
  const tags = joinText(
    Object.entries(notice.tags).map(([key, value]) => text`${key}=${value}`),
    ', ',
  );
  const template = notice.templateName
    ? text`${notice.templateName} (${code(notice.templateId)})`
    : text`${code(notice.templateId)}`;
  return text`node group ${notice.label}: launch template ${template}, tagged ${tags}`;
}

/** The command that plans the change again with the drift accepted: a revert's own, or the rollout's plan. */
export function acceptDriftCommand(change: Pick<ChangeRecord, 'kind' | 'revertOf' | 'bakeId' | 'targetAmi'>): string {
  return change.kind === 'revert' && change.revertOf
    ? `/ami revert ${change.revertOf} ${ACCEPT_DRIFT_FLAG}`
    : `/ami plan ${change.bakeId ?? change.targetAmi ?? '<bake-id>'} ${ACCEPT_DRIFT_FLAG}`;
}

/**
 * A revert refused because some node groups it would move launch from templates Terraform manages that the
 * reverted change did not accept drift for: which ones, the variable change, and how to go on.
 */
export function revertDriftRefusal(notices: readonly TerraformDriftNotice[], source: string): Text {
  const targets = notices.map((notice) => text`\n• ${driftTargetLine(notice)}`);
  const lines = driftVariables(notices).map((entry) => text`\n• ${driftLine(entry)}`);
  return text`The revert of ${source} would drift from the Terraform state: ${plural(notices.length, 'node group')} it would move launch from templates Terraform manages, and no drift was accepted for them when ${source} was planned (Terraform did not manage them then, or they are other templates now):${joinText(targets, '')}\nTo make Terraform agree instead, set in its variables:${joinText(lines, '')}\nNothing was planned or changed. To revert anyway, run ${code(`/ami revert ${source} ${ACCEPT_DRIFT_FLAG}`)}.`;
}

/** An apply that found templates Terraform manages since the change was planned: it writes nothing. */
export function driftAtApply(
  notices: readonly TerraformDriftNotice[],
  change: Pick<ChangeRecord, 'kind' | 'revertOf' | 'bakeId' | 'targetAmi'>,
): Text {
  const targets = notices.map((notice) => text`\n• ${driftTargetLine(notice)}`);
  return text`nothing was written: ${plural(notices.length, 'node group')} this change would move now launch from templates Terraform manages, and no drift was accepted for them when it was planned:${joinText(targets, '')}\nTo go on anyway, plan it again accepting the drift: ${code(acceptDriftCommand(change))}.`;
}
