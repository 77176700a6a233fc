import type { LaunchTemplateVersionInfo } from '../../ports/launch-templates.js';
import type { TargetUpdate, TerraformDriftNotice } from '../rollout-target.js';

/**
 * The node groups Domino's terraform-aws-eks module (modules/nodes/variables.tf) defines in `default_node_groups`;
 * `system` is `system_node_group`; any other is a key of `additional_node_groups`.
 */
const DEFAULT_NODE_GROUPS = new Set(['compute', 'platform', 'platform_jobs', 'gpu']);

/** An HCL identifier (letters, digits, `_`, `-`) can follow a dot; any other map key needs the index form. */
const HCL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * The module input that names a node group's AMI, from its launch template's name: the module names each
 * template `<cluster>-<node group key>` (modules/nodes/nodes.tf) and reads the AMI from that node group's `ami`.
 * Undefined when the name does not follow that rule (a template the module did not name): the plan then names
 * "the node group module's `ami` input" without guessing a path.
 */
export function terraformAmiVariable(cluster: string, templateName: string | undefined): string | undefined {
  const prefix = `${cluster}-`;
  if (!templateName?.startsWith(prefix) || templateName.length === prefix.length) return undefined;
  const key = templateName.slice(prefix.length);
  if (DEFAULT_NODE_GROUPS.has(key)) return `default_node_groups.${key}.ami`;
  if (key === 'system') return 'system_node_group.system.ami';
  return HCL_IDENTIFIER.test(key)
    ? `additional_node_groups.${key}.ami`
    : `additional_node_groups[${JSON.stringify(key)}].ami`;
}

/** The configured Terraform tag keys the template carries, with their values. */
export function terraformTagsOf(
  version: Pick<LaunchTemplateVersionInfo, 'templateTags'>,
  tagKeys: readonly string[],
): Record<string, string> {
  return Object.fromEntries(
    tagKeys.filter((key) => key in version.templateTags).map((key) => [key, version.templateTags[key] ?? '']),
  );
}

/** The drift notice of one planned move whose launch template Terraform manages; undefined when none does. */
export function terraformDriftOf(
  cluster: string,
  update: TargetUpdate,
  version: Pick<LaunchTemplateVersionInfo, 'templateId' | 'templateName' | 'templateTags'>,
  tagKeys: readonly string[],
): TerraformDriftNotice | undefined {
  const tags = terraformTagsOf(version, tagKeys);
  if (Object.keys(tags).length === 0) return undefined;
  const variable = terraformAmiVariable(cluster, version.templateName);
  return {
    kind: 'terraform-drift',
    key: update.key,
    label: update.label,
    templateId: version.templateId,
    ...(version.templateName ? { templateName: version.templateName } : {}),
    tags,
    ...(variable ? { variable } : {}),
    ami: update.to,
  };
}
