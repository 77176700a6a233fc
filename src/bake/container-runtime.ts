import type { ContainerRuntime } from '../config.js';
import { AppError } from '../errors.js';
import { tail } from '../shared/format.js';
import { redactSecretText } from '../shared/redact.js';
import { code, joinText, text, words } from '../shared/text.js';
import type { StepContext } from './bake-context.js';
import { runCommandOnce } from './run-command.js';
import { detectRuntimeScript, NO_RUNTIME_EXIT, parseDetectedRuntime } from './ssm-scripts.js';
import { bakeRuntime, detectionOrder } from './template-runtime.js';

/** The detection's command key: under `inventory`, so the inventory step's undo stops it too. */
export const DETECT_RUNTIME_KEY = 'inventory-detect-runtime';

/**
 * The runtime this bake pulls with. Configured: that one. `auto`: detected once on the template with a read-only
 * script (its command checkpointed like any other, so a restart re-attaches instead of asking again) and saved
 * as `facts.containerRuntime`; every later step reads the fact.
 */
export async function resolveRuntime(ctx: StepContext): Promise<ContainerRuntime> {
  const known = bakeRuntime(ctx.bake);
  if (known !== undefined) return known;
  const order = detectionOrder(ctx.deployment.kind);
  const invocation = await runCommandOnce(ctx, {
    key: DETECT_RUNTIME_KEY,
    commands: () => detectRuntimeScript(order),
    timeoutSeconds: 120,
  });
  const found = parseDetectedRuntime(invocation.stdout);
  if (invocation.status === 'Success' && found.runtime !== undefined && order.includes(found.runtime)) {
    await ctx.save({ facts: { containerRuntime: found.runtime } });
    ctx.log.info({ runtime: found.runtime }, 'container runtime detected on the template');
    return found.runtime;
  }
  const tried = joinText(
    order.map((runtime) => code(runtime)),
    ', ',
  );
  if (invocation.exitCode === NO_RUNTIME_EXIT) {
    const why = found.notes.length > 0 ? text` (${found.notes.join('; ')})` : words('');
    throw new AppError(
      'no_container_runtime',
      text`No container runtime on the template: tried ${tried}${why}. Install one with its daemon running on the template, or set ${code('containerRuntime')} for ${ctx.bake.deployment} (docker, nerdctl or ctr).`,
    );
  }
  const said = tail(redactSecretText((invocation.stderr || invocation.stdout).trim()), 300);
  throw new AppError(
    'runtime_detection_failed',
    text`Could not detect the container runtime on the template (${invocation.status}, exit ${String(invocation.exitCode ?? '?')}): ${said} Set ${code('containerRuntime')} for ${ctx.bake.deployment} to skip detection.`,
  );
}
