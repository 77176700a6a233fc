import { AppError } from '../../errors.js';
import { formatDuration } from '../../shared/format.js';
import { icon, text } from '../../shared/text.js';
import type { BakeStep, StepFn } from '../bake-context.js';
import { pollUntil } from '../wait.js';

/** Progress lines in the thread at most this often (virtual time), so a 4 h wait stays readable. */
const PROGRESS_EVERY_MS = 10 * 60_000;

/**
 * Waits for `available` with a deadline in hours, saved with the bake so a restart keeps the
 * original deadline instead of granting a fresh one. `failed` is an error.
 */
const run: StepFn = async (ctx) => {
  const { ec2, clock } = ctx.deps;
  const imageId = ctx.bake.facts.imageId!;
  let deadline = ctx.bake.facts.imageDeadline;
  if (!deadline) {
    deadline = new Date(clock.now().getTime() + ctx.settings.imageWaitHours * 3_600_000);
    await ctx.save({ facts: { imageDeadline: deadline } });
  }
  const started = clock.now().getTime();
  let lastProgress = started;
  const image = await pollUntil({
    clock,
    signal: ctx.signal,
    deadline,
    minMs: ctx.settings.imagePollMinSeconds * 1000,
    maxMs: ctx.settings.imagePollMaxSeconds * 1000,
    factor: 1.25,
    check: async () => {
      const [found] = await ec2.describeImages([imageId]);
      if (!found) throw new AppError('image_vanished', `The AMI ${imageId} disappeared while it was being created.`);
      if (found.state !== ctx.bake.facts.imageState) await ctx.save({ facts: { imageState: found.state } });
      if (found.state === 'available') return found;
      if (found.state === 'failed' || found.state === 'error' || found.state === 'invalid') {
        throw new AppError(
          'image_failed',
          `AWS reports the AMI ${imageId} as ${found.state}${found.stateReason ? `: ${found.stateReason}` : ''}.`,
        );
      }
      const now = clock.now().getTime();
      if (now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now;
        const percent = await ec2.snapshotProgress(found.snapshotIds);
        await ctx.progress.thread(
          text`${icon('waiting')} ${imageId} still ${found.state} after ${formatDuration(now - started)}${percent === undefined ? '' : `, snapshots ${percent.toFixed(0)}%`}`,
        );
      }
      return undefined;
    },
    onTimeout: () =>
      new AppError(
        'image_timeout',
        `The AMI ${imageId} was not available within ${ctx.settings.imageWaitHours} h (bake.imageWaitHours). Large image caches can take hours to snapshot: raise the limit and bake again.`,
      ),
  });
  return `${image.id} available after ${formatDuration(clock.now().getTime() - started)}`;
};

export const waitImage: BakeStep<'wait-image'> = {
  name: 'wait-image',
  title: 'Wait until the AMI is available',
  run,
};
