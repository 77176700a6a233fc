import { type Config, findDeployment } from '../config.js';
import { AppError } from '../errors.js';
import type { ChatContent, ChatPort } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { StateStore } from '../ports/state-store.js';
import type { Logger } from '../shared/logger.js';
import { isOrphanLock } from '../shared/orphan-lock.js';
import type { Reply } from '../shared/reply.js';
import { code, icon, joinText, link, text, words } from '../shared/text.js';
import type { BakePresenter } from './bake-presenter.js';
import { type BakeRecord, isBakeActive, newBakeId } from './bake-record.js';
import { bakeLockKey } from './bake-runner.js';
import { newStepTable } from './bake-steps.js';
import { validateImageReferences } from './image-reference.js';
import { deploymentProvision, deploymentRuntimeChoice } from './template-runtime.js';

export interface StartBakeInput {
  userId: string;
  channelId: string;
  deployment?: string;
  images?: string[];
  noReboot: boolean;
  note?: string;
  /** Posted in the bake's thread right after its card (e.g. why these images were chosen). */
  threadMessages?: readonly ChatContent[];
}

export interface StartBakeDeps {
  config: Config;
  store: StateStore;
  chat: ChatPort;
  presenter: BakePresenter;
  clock: Clock;
  logger: Logger;
  runner: { kick(bakeId: string): void };
  random?: () => number;
}

export const MAX_IMAGES = 50;

/**
 * `/ami bake`, the review's "Start bake" button, the demo and the tests all start a bake here:
 * validate everything, take the deployment's lock, post the root message, persist, hand over.
 */
export function createStartBake(deps: StartBakeDeps) {
  const { config, store, chat, clock } = deps;

  async function takeLock(deployment: string, bakeId: string): Promise<void> {
    const key = bakeLockKey(deployment);
    let holder = await store.locks.acquire(key, bakeId, clock.now());
    if (holder === undefined) return;
    let running = await store.bakes.get(holder);
    if (await isStale(key, holder, running)) {
      // A finished bake that crashed before letting go of its lock, or a start that died before
      // saving its bake: the lock is stale. Release is guarded by the holder, so one taker wins.
      await store.locks.release(key, holder);
      holder = await store.locks.acquire(key, bakeId, clock.now());
      if (holder === undefined) return;
      running = await store.bakes.get(holder);
    }
    const url = running?.rootTs ? await chat.permalink(running.channel, running.rootTs) : undefined;
    throw new AppError(
      'bake_in_progress',
      text`A bake of ${deployment} is already running: ${url ? link(url, holder) : holder}. Wait for it or ${code(`/ami cancel ${holder}`)}.`,
    );
  }

  /** Between taking the lock and saving its bake a start takes a moment: only an old orphan lock is stale. */
  async function isStale(key: string, holder: string, running: BakeRecord | undefined): Promise<boolean> {
    if (running) return !isBakeActive(running);
    return isOrphanLock(store.locks, key, holder, clock.now());
  }

  return async function startBake(input: StartBakeInput): Promise<Reply> {
    const deployment = findDeployment(config, input.deployment);
    if (!deployment) {
      const names = joinText(
        config.deployments.map((d) => code(d.name)),
        ', ',
      );
      throw new AppError(
        'unknown_deployment',
        input.deployment === undefined
          ? text`Several deployments are configured (${names}): say which, e.g. ${code(`/ami bake ${config.deployments[0]?.name}`)}.`
          : text`Unknown deployment ${code(input.deployment.slice(0, 64))}. Configured: ${names}.`,
      );
    }
    const images = [...new Set((input.images ?? deployment.images).map((ref) => ref.trim()))];
    if (images.length === 0) {
      throw new AppError(
        'no_images',
        text`No images to bake for ${deployment.name}: pass \`--images ref1,ref2\` or configure AMIBOT_IMAGES.`,
      );
    }
    if (images.length > MAX_IMAGES) throw new AppError('too_many_images', `At most ${MAX_IMAGES} images per bake.`);
    const invalid = validateImageReferences(images);
    if (invalid.length > 0) {
      const list = joinText(
        invalid.map((item) => text`• ${code(item.ref.slice(0, 80))}: ${item.reason}`),
        words('\n'),
      );
      throw new AppError(
        'invalid_image_reference',
        text`Nothing was baked: ${invalid.length} image reference(s) are not valid:\n${list}`,
      );
    }

    const now = clock.now();
    const bakeId = newBakeId(now, deps.random);
    await takeLock(deployment.name, bakeId);
    try {
      const bake: BakeRecord = {
        _id: bakeId,
        deployment: deployment.name,
        requester: input.userId,
        channel: input.channelId,
        images,
        noReboot: input.noReboot,
        ...(input.note ? { note: input.note } : {}),
        // Kept on the bake: a configuration change while it runs (or before it resumes) does not change it.
        runtimeChoice: deploymentRuntimeChoice(deployment),
        provision: deploymentProvision(deployment),
        kind: deployment.kind,
        status: 'running',
        steps: newStepTable(),
        facts: {},
        sandbox: config.sandbox,
        createdAt: now,
        updatedAt: now,
      };
      const root = await chat.post({
        channel: input.channelId,
        ...deps.presenter.card(bake, now, { sandbox: config.sandbox }),
      });
      bake.rootTs = root.ts;
      await store.bakes.insert(bake);
      deps.logger.info(
        { bakeId, deployment: deployment.name, channel: input.channelId, thread: root.ts },
        'bake started',
      );
      for (const message of input.threadMessages ?? []) {
        // The bake is saved and goes on without it: a lost explanation is logged, not a failed bake.
        await chat
          .post({ channel: input.channelId, threadTs: root.ts, ...message })
          .catch((error: unknown) => deps.logger.warn({ err: error, bakeId }, 'bake: could not post a thread message'));
      }
      deps.runner.kick(bakeId);
      const warning = input.noReboot
        ? text` ${icon('warning')} \`--no-reboot\`: file-system integrity of the AMI is not guaranteed.`
        : words('');
      return deps.presenter.content(
        text`Bake ${bakeId} of ${deployment.name} started; follow it in its thread.${warning}`,
      );
    } catch (error) {
      await store.locks.release(bakeLockKey(deployment.name), bakeId).catch(() => undefined);
      throw error;
    }
  };
}
