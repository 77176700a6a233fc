import type { DeploymentConfig } from '../config-schema.js';
import type { InstanceInfo } from '../ports/ec2.js';
import { globToRegExp } from './glob.js';

/**
 * What belongs to one deployment in a shared account and region: its template (by Name pattern) and its
 * executors (by scope tags besides the tier tag). Every selection of instances goes through here.
 */

const fill = (value: string, deployment: DeploymentConfig, tierId?: string) => {
  const named = value.replaceAll('{deployment}', deployment.name);
  return tierId === undefined ? named : named.replaceAll('{tier}', tierId);
};

/** The template's Name glob with `{deployment}` filled in. */
export function templatePatternFor(deployment: DeploymentConfig): string {
  return fill(deployment.templateNamePattern, deployment);
}

/** EC2 tags of one tier's executors of this deployment (tier tag and scope tags); `{tier}` = the tier id. */
export function executorTagsFor(deployment: DeploymentConfig, tierId: string): Record<string, string> {
  const tags = { ...deployment.executorScopeTags, ...deployment.executorTags };
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [key, fill(value, deployment, tierId)]));
}

/** Tags of every executor of this deployment, whatever its tier (the tier tag as a wildcard): one query. */
export function deploymentExecutorTags(deployment: DeploymentConfig): Record<string, string> {
  const tags = { ...deployment.executorScopeTags, ...deployment.executorTags };
  return Object.fromEntries(
    Object.entries(tags).map(([key, value]) => [key, value.includes('{tier}') ? '*' : fill(value, deployment)]),
  );
}

/** Does the instance carry every tag given (`*` = any value)? */
export function hasTags(instance: Pick<InstanceInfo, 'tags'>, tags: Record<string, string>): boolean {
  return Object.entries(tags).every(
    ([key, value]) => key in instance.tags && (value === '*' || instance.tags[key] === value),
  );
}

/**
 * A template is never an executor to drain or to judge a test by, even when it carries the tier tag: its Name
 * matches the template pattern, or a bake recorded it as its template.
 */
export function isTemplateInstance(
  deployment: DeploymentConfig,
  instance: Pick<InstanceInfo, 'id' | 'name'>,
  templateIds: ReadonlySet<string> = new Set(),
): boolean {
  return templateIds.has(instance.id) || globToRegExp(templatePatternFor(deployment)).test(instance.name);
}
