import type { Config } from '../config.js';
import type { Logger } from '../shared/logger.js';
import { namedDeployment } from '../shared/named-deployment.js';
import type { Reply } from '../shared/reply.js';
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
    const deployment = namedDeployment(deps.config, input.deployment);
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
