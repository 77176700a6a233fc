import { type Config, type DeploymentConfig, findDeployment } from '../config.js';
import { AppError } from '../errors.js';
import type { Logger } from '../shared/logger.js';
import type { Reply } from '../shared/reply.js';
import { text } from '../shared/text.js';
import type { AutoBakeDeps } from './auto-bake.js';
import type { SelectionPresenter } from './selection-presenter.js';

export interface PreviewImagesDeps {
  config: Config;
  logger: Logger;
  presenter: SelectionPresenter;
  suggest: AutoBakeDeps['suggest'];
  currentImages: AutoBakeDeps['currentImages'];
}

/**
 * `/ami suggest [deployment]`: what `/ami bake --images auto` would bake now and why, or the configured list it
 * would fall back to — before anyone takes the template for a bake. Reads only (usage, manifests, the template's
 * root volume); nothing is baked, locked or stored.
 */
export function createPreviewImages(deps: PreviewImagesDeps) {
  return async function previewImages(input: { deployment?: string }): Promise<Reply> {
    const deployment = requireDeployment(deps.config, input.deployment);
    const current = await deps.currentImages(deployment).catch((error: unknown) => {
      deps.logger.warn(
        { err: error, deployment: deployment.name },
        'image preview: no current AMI images for the diff',
      );
      return undefined;
    });
    const outcome = await deps.suggest(deployment, current);
    return outcome.kind === 'suggested'
      ? deps.presenter.preview(outcome.suggestion)
      : deps.presenter.previewFallback(deployment.name, outcome.reason, outcome.images);
  };
}

function requireDeployment(config: Config, name: string | undefined): DeploymentConfig {
  const deployment = findDeployment(config, name);
  if (deployment) return deployment;
  const known = config.deployments.map((d) => d.name).join(', ');
  throw new AppError(
    'unknown_deployment',
    name === undefined
      ? text`Several deployments are configured (${known}): name one, e.g. /ami suggest ${config.deployments[0]?.name ?? ''}.`
      : text`No deployment ${name} is configured (configured: ${known}).`,
  );
}
