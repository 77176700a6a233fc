import { AppError } from '../../errors.js';
import { tail, truncate } from '../../shared/format.js';
import { redactSecretText } from '../../shared/redact.js';
import { type BakeStep, type StepContext, type StepFn, skipped } from '../bake-context.js';
import { cancelOwnCommands, runCommandOnce } from '../run-command.js';
import {
  highstateScript,
  PROVISION_MISSING,
  PROVISION_NOT_EXECUTABLE,
  parseFailedStates,
  parseHighstateSummary,
  provisionScript,
} from '../ssm-scripts.js';
import { bakeProvision, provisionTitle } from '../template-runtime.js';

/**
 * The provisioning step (its record key is still `highstate`): `salt-call state.highstate` as the seed does, or
 * the deployment's fixed script on the template, or nothing (skipped) — as the bake was started with.
 */
const run: StepFn = async (ctx) => {
  const provision = bakeProvision(ctx.bake);
  if (provision === 'none') return skipped('no provisioning configured for this deployment');
  if (provision === 'salt-highstate') return saltHighstate(ctx);
  return provisionWithScript(ctx, provision.script);
};

/** `salt-call state.highstate` with --retcode-passthrough, so a failed state fails the step. */
async function saltHighstate(ctx: StepContext): Promise<string> {
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
    const output = summary ? '' : ` Output: ${lastLines(invocation)}`;
    throw new AppError(
      'highstate_failed',
      `salt-call state.highstate failed (exit ${invocation.exitCode ?? '?'}).${counts}${states}${output} Run \`salt-call state.highstate\` on the template to see the full output (ami-bot does not keep it: it can hold secrets).`,
    );
  }
  if (!summary) return 'highstate finished (no summary found in the output)';
  return `${summary.succeeded} states succeeded (${summary.changed} changed), ${summary.failed} failed`;
}

/** The configured script (never text from Slack), logged like the highstate; its exit code decides. */
async function provisionWithScript(ctx: StepContext, script: string): Promise<string> {
  const minutes = ctx.settings.highstateTimeoutMinutes;
  const invocation = await runCommandOnce(ctx, {
    key: 'provision',
    commands: () => provisionScript(ctx.bake._id, script),
    timeoutSeconds: minutes * 60,
  });
  if (invocation.status === 'TimedOut') {
    throw new AppError(
      'provision_timeout',
      `The provisioning script ${script} did not finish within ${minutes} min (raise bake.highstateTimeoutMinutes if it is just slow).`,
    );
  }
  if (invocation.status === 'Success') return `${script} finished (exit 0)`;
  const exit = invocation.exitCode;
  const missing = invocation.stderr.includes(PROVISION_MISSING);
  if (missing || invocation.stderr.includes(PROVISION_NOT_EXECUTABLE)) {
    const what = missing ? 'is not on the template' : 'is not executable on the template';
    throw new AppError(
      'provision_script_missing',
      `The provisioning script ${script} ${what} (exit ${exit ?? '?'}). Install it there (executable, with its #! line), or change provision for ${ctx.bake.deployment}.`,
    );
  }
  // Its output, like salt's, may print secrets: only its last lines, redacted.
  throw new AppError(
    'provision_failed',
    `The provisioning script ${script} failed (exit ${exit ?? '?'}). Output: ${lastLines(invocation)} Run it on the template to see the full output (ami-bot does not keep it: it can hold secrets).`,
  );
}

function lastLines(invocation: { stdout: string; stderr: string }): string {
  const raw = (invocation.stderr || invocation.stdout).trim().split('\n').slice(-5).join('\n');
  return tail(redactSecretText(raw), 400);
}

export const highstate: BakeStep<'highstate'> = {
  name: 'highstate',
  title: 'salt-call state.highstate',
  titleOf: provisionTitle,
  run,
  undo: async (ctx) => [...(await cancelOwnCommands(ctx, 'highstate')), ...(await cancelOwnCommands(ctx, 'provision'))],
};
