import type { ContainerRuntime } from '../../config.js';
import { AppError } from '../../errors.js';
import { eachLimited } from '../../shared/async-queue.js';
import { tail } from '../../shared/format.js';
import { redactSecretText } from '../../shared/redact.js';
import { code, icon, joinText, text } from '../../shared/text.js';
import type { BakeStep, StepContext, StepFn } from '../bake-context.js';
import type { PullResult } from '../bake-record.js';
import { resolveRuntime } from '../container-runtime.js';
import { normalizeImageReference, parseImageReference } from '../image-reference.js';
import { cancelOwnCommands, invocationSeconds, runCommandOnce } from '../run-command.js';
import { pullScript } from '../ssm-scripts.js';
import { runtimeSuffix } from '../template-runtime.js';

/** Registry answers that no retry will change (docker's, nerdctl's and ctr's words for them). */
const PERMANENT = /manifest unknown|not found|unauthorized|denied|invalid reference|no such host/i;

/**
 * `docker pull` (or `nerdctl pull`, `ctr images pull` into containerd's k8s.io namespace) each requested image with bounded concurrency, one SSM command per image and
 * attempt so each has its own result and time. A digest-pinned image already cached is skipped
 * (it cannot change); a tag is pulled again because tags move.
 */
const run: StepFn = async (ctx) => {
  const runtime = await resolveRuntime(ctx);
  const images = ctx.bake.images;
  const cached = new Set(ctx.bake.facts.cachedImages ?? []);
  const results: PullResult[] =
    ctx.bake.facts.pulls ?? images.map((image) => ({ image, status: 'failed', attempts: 0 }));
  if (!ctx.bake.facts.pulls) await ctx.save({ facts: { pulls: results } });

  await eachLimited(images.keys(), ctx.settings.pullConcurrency, async (index) => {
    const result = results[index]!;
    if (result.status === 'pulled' || result.status === 'cached') return;
    const ref = images[index]!;
    const parsed = parseImageReference(ref);
    if (parsed.digest && cached.has(normalizeImageReference(ref))) {
      results[index] = { image: ref, status: 'cached', attempts: 0 };
      await ctx.save({ facts: { pulls: results } });
      return;
    }
    results[index] = await pullWithRetries(ctx, runtime, index, results[index]!);
    await ctx.save({ facts: { pulls: results } });
    const r = results[index]!;
    await ctx.progress.thread(
      r.status === 'pulled'
        ? text`${icon('ok')} pulled ${code(ref)} in ${r.seconds?.toFixed(0) ?? '?'} s${r.attempts > 1 ? ` (attempt ${r.attempts})` : ''}`
        : text`${icon('failed')} could not pull ${code(ref)} after ${r.attempts} attempt(s): ${r.error ?? ''}`,
    );
    ctx.progress.refresh();
  });

  const failed = results.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    const list = joinText(
      failed.map((r) => text`${code(r.image)}: ${r.error ?? ''}`),
      '; ',
    );
    throw new AppError('pull_failed', text`Could not pull ${failed.length} image(s): ${list}`);
  }
  const pulled = results.filter((r) => r.status === 'pulled');
  const seconds = pulled.reduce((sum, r) => sum + (r.seconds ?? 0), 0);
  // A tag found by "List cached images" is still pulled (it may have moved): say so, or the two steps disagree.
  const rechecked = pulled.filter((r) => cached.has(normalizeImageReference(r.image))).length;
  const skipped = results.length - pulled.length;
  return `${pulled.length} pulled (${seconds.toFixed(0)} s of pulls${rechecked > 0 ? `; ${rechecked} of them already there, pulled again because tags move` : ''})${skipped > 0 ? `, ${skipped} skipped (digest already cached)` : ''}`;
};

async function pullWithRetries(
  ctx: StepContext,
  runtime: ContainerRuntime,
  index: number,
  previous: PullResult,
): Promise<PullResult> {
  const ref = ctx.bake.images[index]!;
  const maxAttempts = ctx.settings.pullRetries + 1;
  let attempts = previous.attempts;
  let error = previous.error;
  // Attempt keys are deterministic: after a crash each attempt's command is re-attached, not re-sent.
  while (attempts < maxAttempts) {
    const attempt = attempts + 1;
    const startedAt = ctx.deps.clock.now();
    const invocation = await runCommandOnce(ctx, {
      key: `pull-${index}-a${attempt}`,
      commands: () => pullScript(parseImageReference(ref), runtime),
      timeoutSeconds: ctx.settings.pullTimeoutMinutes * 60,
    });
    attempts = attempt;
    if (invocation.status === 'Success') {
      const seconds = invocationSeconds(invocation) ?? (ctx.deps.clock.now().getTime() - startedAt.getTime()) / 1000;
      return { image: ref, status: 'pulled', seconds, attempts };
    }
    error = tail(redactSecretText((invocation.stderr || invocation.stdout || invocation.status).trim()), 300);
    if (PERMANENT.test(error)) break;
    if (attempts < maxAttempts) {
      ctx.log.warn({ image: ref, attempt, error }, 'pull failed; retrying');
      await ctx.deps.clock.sleep(5_000 * attempt, ctx.signal);
    }
  }
  return { image: ref, status: 'failed', attempts, error: error ?? 'unknown error' };
}

export const pull: BakeStep<'pull'> = {
  name: 'pull',
  title: 'Pull images',
  titleOf: (bake) => `Pull images${runtimeSuffix(bake)}`,
  run,
  undo: (ctx) => cancelOwnCommands(ctx, 'pull'),
};
