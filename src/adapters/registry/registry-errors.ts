import { AppError } from '../../errors.js';
import { code, text } from '../../shared/text.js';

/** The AppErrors a RegistryPort fails with, one wording for the HTTP client and the simulator. */

export function registryUnauthorized(host: string, repository: string, hasCredentials: boolean): AppError {
  const hint = hasCredentials
    ? text`the configured credentials for ${code(host)} were refused: check its username and password variable.`
    : text`configure credentials for ${code(host)} (registries.hosts: username and passwordEnv).`;
  return new AppError(
    'registry_unauthorized',
    text`The registry ${code(host)} refused to serve ${code(repository)}: ${hint}`,
    {
      details: { host, repository },
    },
  );
}

export const registryNotFound = (host: string, ref: string): AppError =>
  new AppError(
    'registry_not_found',
    text`The registry ${code(host)} has no image ${code(ref)}: check the repository and tag.`,
  );

export const registryUnreachable = (host: string, reason: string, cause?: unknown): AppError =>
  new AppError('registry_unreachable', text`Cannot reach the registry ${code(host)} (${reason}).`, {
    ...(cause === undefined ? {} : { cause }),
    details: { host },
  });

/** The registry cannot know the deployment's kind: the words cover both machines an AMI boots (executor, EKS node). */
export const registryNoPlatform = (ref: string, platforms: string[]): AppError =>
  new AppError(
    'registry_no_platform',
    text`${code(ref)} has no ${'linux/amd64'} image (it has: ${platforms.join(', ') || 'none'}), so no executor or EKS node booted from the AMI could run it.`,
  );
