import { AppError } from '../../errors.js';
import { tail } from '../../shared/format.js';
import { redactSecretText } from '../../shared/redact.js';
import type { BakeStep, StepFn } from '../bake-context.js';
import { normalizeImageReference } from '../image-reference.js';
import { cancelOwnCommands, runCommandOnce } from '../run-command.js';
import { inventoryScript, parseDockerImages } from '../ssm-scripts.js';

/** `docker images` on the template: what is cached already, as the seed's first step does. */
const run: StepFn = async (ctx) => {
  const invocation = await runCommandOnce(ctx, { key: 'inventory', commands: inventoryScript, timeoutSeconds: 300 });
  if (invocation.status !== 'Success') {
    throw new AppError(
      'inventory_failed',
      `\`docker images\` failed on the template (${invocation.status}): ${tail(redactSecretText(invocation.stderr || invocation.stdout), 300)}`,
    );
  }
  const cached = parseDockerImages(invocation.stdout);
  const requested = ctx.bake.images.map((ref) => normalizeImageReference(ref));
  const already = requested.filter((ref) => cached.includes(ref));
  await ctx.save({ facts: { cachedImages: cached } });
  const cut = invocation.stdoutTruncated ? ' (output cut by SSM at 24,000 chars)' : '';
  return `${cached.length} image(s) cached${cut}; ${already.length} of ${requested.length} requested already there`;
};

export const inventory: BakeStep<'inventory'> = {
  name: 'inventory',
  title: 'List cached images',
  run,
  undo: (ctx) => cancelOwnCommands(ctx, 'inventory'),
};
