import { plural } from '../shared/format.js';
import { code, joinText, type Text, text } from '../shared/text.js';
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
