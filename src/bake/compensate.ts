import type { StepContext } from './bake-context.js';
import { stepProgress } from './bake-record.js';
import { BAKE_STEP_MODULES } from './bake-steps.js';

/**
 * Undo after a failure or a cancel: every step that started (done, or the one that failed) undoes its part, the
 * last first — stop our SSM commands, deregister an image that never became a recorded result, return the
 * template. A skipped step did nothing, so it has nothing to undo. Each undo is safe to repeat after a crash.
 * Returns the lines to tell the user.
 */
export async function compensate(ctx: StepContext): Promise<string[]> {
  const lines: string[] = [];
  for (const step of [...BAKE_STEP_MODULES].reverse()) {
    const state = stepProgress(ctx.bake, step.name).state;
    if (!step.undo || state === 'pending' || state === 'skipped') continue;
    lines.push(...(await step.undo(ctx)));
  }
  return lines;
}
