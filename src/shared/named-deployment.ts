import { type Config, type DeploymentConfig, findDeployment } from '../config.js';
import { AppError } from '../errors.js';
import { text } from './text.js';

/** The deployment a command names, or the only one configured; else an AppError naming those configured. */
export function namedDeployment(config: Config, name: string | undefined): DeploymentConfig {
  const deployment = findDeployment(config, name);
  if (deployment) return deployment;
  const known = config.deployments.map((d) => d.name).join(', ');
  throw new AppError(
    'unknown_deployment',
    name === undefined
      ? text`Several deployments are configured (${known}): name one.`
      : text`No deployment ${name} is configured (configured: ${known}).`,
  );
}
