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
