import type { StartBakeInput } from '../bake/start-bake.js';
import { type Config, type DeploymentConfig, findDeployment } from '../config.js';
import { AppError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Reply } from '../shared/reply.js';
import { code, icon, text } from '../shared/text.js';
import type { SuggestionOutcome } from './image-suggestion.js';
import type { SelectionPresenter } from './selection-presenter.js';

export interface AutoBakeDeps {
  config: Config;
  clock: Clock;
  logger: Logger;
  presenter: SelectionPresenter;
  suggest(
    deployment: DeploymentConfig,
    current?: { imageId?: string; images: readonly string[] },
  ): Promise<SuggestionOutcome>;
  currentImages(deployment: DeploymentConfig): Promise<{ imageId: string; images: string[] } | undefined>;
  /** The bake's own start: its preflight checks every reference, takes the lock and posts the card. */
  startBake(input: StartBakeInput): Promise<Reply>;
}

export type AutoBakeInput = Omit<StartBakeInput, 'images' | 'threadMessages'>;

/**
 * `/ami bake --images auto`: the suggestion for the deployment, then the ordinary bake of exactly the chosen list,
 * with the suggestion first in the bake's thread. A suggestion that cannot be made (a registry down, no usage)
 * bakes the configured list instead, and says so in the reply and the thread.
 */
export function createAutoBake(deps: AutoBakeDeps) {
  return async function startAutoBake(input: AutoBakeInput): Promise<Reply> {
    const deployment = findDeployment(deps.config, input.deployment);
    // An unknown or ambiguous deployment: the bake's own start says which are configured.
    if (!deployment) return deps.startBake(input);
    const current = await deps.currentImages(deployment).catch((error: unknown) => {
      deps.logger.warn(
        { err: error, deployment: deployment.name },
        'image selection: no current AMI images for the diff',
      );
      return undefined;
    });
    const outcome = await deps.suggest(deployment, current);
    if (outcome.kind === 'fallback') {
      if (outcome.images.length === 0) {
        throw new AppError(
          'no_images',
          text`Nothing was baked: ${outcome.reason} No configured images to fall back to either (AMIBOT_IMAGES or ${code('deployments[].images')}).`,
        );
      }
      const reply = await deps.startBake({
        ...input,
        images: [...outcome.images],
        threadMessages: [deps.presenter.fallback(outcome.reason, outcome.images)],
      });
      return deps.presenter.withNote(
        reply,
        text`${icon('warning')} No image suggestion (${outcome.reason}); baking the configured list of ${String(outcome.images.length)} image(s) instead.`,
      );
    }
    const images = outcome.suggestion.chosen.map((c) => c.ref);
    if (images.length === 0) {
      throw new AppError(
        'no_images',
        text`Nothing was baked: no image ran on the standard tiers in the last ${String(outcome.suggestion.windowDays)} days and no base image is configured (${code('imageSelection.baseImages')}).`,
      );
    }
    const reply = await deps.startBake({
      ...input,
      images,
      threadMessages: [deps.presenter.suggestion(outcome.suggestion)],
    });
    return deps.presenter.withNote(
      reply,
      text`Baking ${String(images.length)} suggested image(s); the thread shows why each was chosen or left out.`,
    );
  };
}
