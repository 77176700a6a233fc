import { AppError } from '../../errors.js';
import { tail, truncate } from '../../shared/format.js';
import { redactSecretText } from '../../shared/redact.js';
import type { BakeStep, StepFn } from '../bake-context.js';
import { cancelOwnCommands, runCommandOnce } from '../run-command.js';
import { highstateScript, parseFailedStates, parseHighstateSummary } from '../ssm-scripts.js';

/** `salt-call state.highstate` with --retcode-passthrough, so a failed state fails the step. */
const run: StepFn = async (ctx) => {
  const invocation = await runCommandOnce(ctx, {
    key: 'highstate',
    commands: () => highstateScript(ctx.bake._id),
    timeoutSeconds: ctx.settings.highstateTimeoutMinutes * 60,
  });
  const summary = parseHighstateSummary(invocation.stdout);
  if (summary) await ctx.save({ facts: { highstate: summary } });
  if (invocation.status === 'TimedOut') {
    throw new AppError(
      'highstate_timeout',
      `salt-call state.highstate did not finish within ${ctx.settings.highstateTimeoutMinutes} min (raise bake.highstateTimeoutMinutes if it is just slow).`,
    );
  }
  if (invocation.status !== 'Success' || (summary && summary.failed > 0)) {
    // What is said here reaches the thread and the App Home (every workspace member): salt's output holds diffs
    // of managed files, so only counts and failed state ids are shown, and even those are redacted; the raw
    // output only when there is no summary (e.g. a rendering error), its last lines, redacted.
    const failedStates = parseFailedStates(invocation.stdout).map((state) => truncate(state, 200));
    const states = failedStates.length
      ? ` Failed states: ${redactSecretText(failedStates.slice(0, 10).join('; '))}.`
      : '';
    const counts = summary ? ` ${summary.failed} failed, ${summary.succeeded} succeeded.` : '';
    const raw = (invocation.stderr || invocation.stdout).trim().split('\n').slice(-5).join('\n');
    const output = summary ? '' : ` Output: ${tail(redactSecretText(raw), 400)}`;
    throw new AppError(
      'highstate_failed',
      `salt-call state.highstate failed (exit ${invocation.exitCode ?? '?'}).${counts}${states}${output} Run \`salt-call state.highstate\` on the template to see the full output (ami-bot does not keep it: it can hold secrets).`,
    );
  }
  if (!summary) return 'highstate finished (no summary found in the output)';
  return `${summary.succeeded} states succeeded (${summary.changed} changed), ${summary.failed} failed`;
};

export const highstate: BakeStep<'highstate'> = {
  name: 'highstate',
  title: 'salt-call state.highstate',
  run,
  undo: (ctx) => cancelOwnCommands(ctx, 'highstate'),
};
