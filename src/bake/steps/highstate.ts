import { AppError } from '../../errors.js';
import { tail } from '../../shared/format.js';
import type { StepFn } from '../bake-context.js';
import { runCommandOnce } from '../run-command.js';
import { highstateScript, parseHighstateSummary } from '../ssm-scripts.js';

/** `salt-call state.highstate` with --retcode-passthrough, so a failed state fails the step. */
export const highstate: StepFn = async (ctx) => {
  const invocation = await runCommandOnce(ctx, {
    key: 'highstate',
    commands: () => highstateScript(ctx.bake._id),
    timeoutSeconds: ctx.settings.highstateTimeoutMinutes * 60,
  });
  const summary = parseHighstateSummary(invocation.stdout);
  if (summary) await ctx.save({ 'facts.highstate': summary });
  if (invocation.status === 'TimedOut') {
    throw new AppError(
      'highstate_timeout',
      `salt-call state.highstate did not finish within ${ctx.settings.highstateTimeoutMinutes} min (raise bake.highstateTimeoutMinutes if it is just slow).`,
    );
  }
  if (invocation.status !== 'Success' || (summary && summary.failed > 0)) {
    const states = summary?.failedStates.length
      ? ` Failed states: ${summary.failedStates.slice(0, 10).join(', ')}.`
      : '';
    const counts = summary ? ` ${summary.failed} failed, ${summary.succeeded} succeeded.` : '';
    const output = summary ? '' : ` Output: ${tail((invocation.stderr || invocation.stdout).trim(), 400)}`;
    throw new AppError(
      'highstate_failed',
      `salt-call state.highstate failed (exit ${invocation.exitCode ?? '?'}).${counts}${states}${output} Full log on the template: /var/log/ami-bot/highstate-${ctx.bake._id}.log`,
    );
  }
  if (!summary) return 'highstate finished (no summary found in the output)';
  return `${summary.succeeded} states succeeded (${summary.changed} changed), ${summary.failed} failed`;
};
