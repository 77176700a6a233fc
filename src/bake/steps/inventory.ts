import { AppError } from '../../errors.js';
import { tail } from '../../shared/format.js';
import { redactSecretText } from '../../shared/redact.js';
import type { BakeStep, StepFn } from '../bake-context.js';
import { resolveRuntime } from '../container-runtime.js';
import { normalizeImageReference } from '../image-reference.js';
import { cancelOwnCommands, runCommandOnce } from '../run-command.js';
import { inventoryScript, parseCtrImages, parseDockerImages } from '../ssm-scripts.js';
import { runtimeLabel, runtimeSuffix } from '../template-runtime.js';

/**
 * The images cached on the template, as the seed's first step does (`docker images`, or containerd's through
 * nerdctl or ctr). With the runtime set to `auto`, this is where it is detected, once.
 */
const run: StepFn = async (ctx) => {
  const runtime = await resolveRuntime(ctx);
  const invocation = await runCommandOnce(ctx, {
    key: 'inventory',
    commands: () => inventoryScript(runtime),
    timeoutSeconds: 300,
  });
  if (invocation.status !== 'Success') {
    const command = runtime === 'ctr' ? 'ctr images ls' : `${runtime} images`;
    throw new AppError(
      'inventory_failed',
      `\`${command}\` failed on the template (${invocation.status}): ${tail(redactSecretText(invocation.stderr || invocation.stdout), 300)}`,
    );
  }
  const cached = runtime === 'ctr' ? parseCtrImages(invocation.stdout) : parseDockerImages(invocation.stdout);
  const requested = ctx.bake.images.map((ref) => normalizeImageReference(ref));
  const already = requested.filter((ref) => cached.includes(ref));
  await ctx.save({ facts: { cachedImages: cached } });
  const cut = invocation.stdoutTruncated ? ' (output cut by SSM at 24,000 chars)' : '';
  const detected = ctx.bake.runtimeChoice === 'auto' ? `${runtimeLabel(runtime)} detected; ` : '';
  // Only dangling images are pruned: the others stay, take disk beside the list, and go into the AMI.
  const others = cached.filter((ref) => !requested.includes(ref)).length;
  const kept = others > 0 ? `; ${others} not in the list stay on the template and go into the AMI` : '';
  return `${detected}${cached.length} image(s) cached${cut}; ${already.length} of ${requested.length} requested already there${kept}`;
};

export const inventory: BakeStep<'inventory'> = {
  name: 'inventory',
  title: 'List cached images',
  titleOf: (bake) => `List cached images${runtimeSuffix(bake)}`,
  run,
  undo: (ctx) => cancelOwnCommands(ctx, 'inventory'),
};
