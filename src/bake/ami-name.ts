import type { DeploymentConfig } from '../config.js';
import { AppError } from '../errors.js';
import { zonedParts } from '../shared/zoned-parts.js';

/**
 * AMI names in the seed's format: `domino-<deployment>-executor-YYYYMMDD-HHMM`, in a configured time zone
 * so the name matches the clock the admins read. EC2 names are 3–128 chars and unique per region.
 */

const PREFIX = 'domino-';
const SUFFIX = '-executor-';
const MAX_AMI_NAME = 128;
/** `domino-` + `-executor-` + `YYYYMMDD-HHMM` */
const FIXED_LENGTH = PREFIX.length + SUFFIX.length + 13;
export const MAX_DEPLOYMENT_LENGTH = MAX_AMI_NAME - FIXED_LENGTH;
/** Lowercase letters and digits, dashes only inside: also a valid piece of an EC2 AMI name. */
const DEPLOYMENT = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

export function deploymentProblem(deployment: string): string | undefined {
  if (deployment === '') return 'is empty';
  if (deployment.length > MAX_DEPLOYMENT_LENGTH) {
    return `is longer than ${MAX_DEPLOYMENT_LENGTH} characters (the AMI name would exceed ${MAX_AMI_NAME})`;
  }
  if (!DEPLOYMENT.test(deployment)) {
    return 'may contain only lowercase letters, digits and dashes, and must start and end with a letter or digit';
  }
  return undefined;
}

function assertDeployment(deployment: string): void {
  const problem = deploymentProblem(deployment);
  if (problem) {
    throw new AppError('invalid_deployment', `The deployment name ${JSON.stringify(deployment)} ${problem}.`);
  }
}

export function amiName(deployment: string, at: Date, timeZone = 'UTC'): string {
  assertDeployment(deployment);
  if (Number.isNaN(at.getTime())) throw new AppError('invalid_date', 'Cannot name an AMI after an invalid date.');
  const p = zonedParts(at, timeZone);
  return `${PREFIX}${deployment}${SUFFIX}${p.year}${p.month}${p.day}-${p.hour}${p.minute}`;
}

/** A Kubernetes label value (a node pool's name): also a valid piece of an EC2 AMI name. */
const NODE_POOL = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const NODE_SUFFIX = '-node-';

/**
 * The name of a node AMI of an `eks-node-groups` deployment: today's rule with the node pools it is for,
 * `domino-<deployment>-<pool>[_<pool>…]-node-YYYYMMDD-HHMM` (no pool part when the deployment names node groups
 * only). Recognised later by its tags, as every AMI ami-bot makes is; the name is for the admins who read it.
 */
export function nodeAmiName(deployment: string, nodePools: readonly string[], at: Date, timeZone = 'UTC'): string {
  const bad = nodePools.find((pool) => !NODE_POOL.test(pool));
  if (bad !== undefined) {
    throw new AppError(
      'invalid_node_pool',
      `The node pool ${JSON.stringify(bad)} cannot be part of an AMI name: expected a Kubernetes label value (letters, digits, -, _ and ., at most 63).`,
    );
  }
  const executorName = amiName(deployment, at, timeZone);
  const stamp = executorName.slice(-13);
  const pools = nodePools.length > 0 ? `-${nodePools.join('_')}` : '';
  const name = `${PREFIX}${deployment}${pools}${NODE_SUFFIX}${stamp}`;
  if (name.length > MAX_AMI_NAME) {
    throw new AppError(
      'ami_name_too_long',
      `The AMI name for deployment ${deployment} and node pools ${nodePools.join(', ')} would be ${name.length} characters (EC2 allows ${MAX_AMI_NAME}); configure fewer or shorter eks.nodePools.`,
    );
  }
  return name;
}

/** The node pools a deployment's AMIs are for: those of its `eks` block, none for hardware tiers. */
export function nodePoolsOf(deployment: Pick<DeploymentConfig, 'eks'>): readonly string[] {
  return deployment.eks?.nodePools ?? [];
}

/** The bake's AMI name: the executor name for hardware tiers, the node name with its pools for EKS node groups. */
export function bakeAmiName(
  deployment: Pick<DeploymentConfig, 'name' | 'kind' | 'eks'>,
  at: Date,
  timeZone = 'UTC',
): string {
  return deployment.kind === 'eks-node-groups'
    ? nodeAmiName(deployment.name, nodePoolsOf(deployment), at, timeZone)
    : amiName(deployment.name, at, timeZone);
}

const STAMP = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})$/;

/** True for names this pipeline gives (any date), for exactly this deployment. */
export function isPipelineAmiName(deployment: string, name: string): boolean {
  const prefix = `${PREFIX}${deployment}${SUFFIX}`;
  if (deploymentProblem(deployment) !== undefined || !name.startsWith(prefix)) return false;
  const m = STAMP.exec(name.slice(prefix.length));
  if (!m) return false;
  const [month, day, hour, minute] = [m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number];
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59;
}
