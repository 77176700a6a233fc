import { userMessage } from '../errors.js';
import { testMessage } from '../slack/blocks/test-message.js';
import type { AmiTestRecord } from './ami-test-record.js';
import { createJobTimer } from './job-timing.js';
import { audit, type RolloutDeps } from './rollout-deps.js';

/** Consecutive failed status polls before the test gives up (one blip should not fail a 10-minute test). */
const MAX_POLL_ERRORS = 3;

/** How often (clock time) the store is asked whether another replica cancelled the test. */
const CANCEL_CHECK_MS = 10_000;

export const testLockKey = (deployment: string) => `test:${deployment}`;

async function previousFigures(deps: RolloutDeps, test: AmiTestRecord): Promise<AmiTestRecord | undefined> {
  const before = await deps.store.amiTests.latestFinished(test.deployment, test.previousAmi);
  if (before && before._id !== test._id) return before;
  const latest = await deps.store.amiTests.latestFinished(test.deployment);
  return latest && latest.amiId !== test.amiId ? latest : undefined;
}

async function show(deps: RolloutDeps, test: AmiTestRecord): Promise<void> {
  if (!test.messageTs) return;
  try {
    const message = testMessage(test, await previousFigures(deps, test));
    await deps.chat.update({ channel: test.channel, ts: test.messageTs, ...message });
  } catch (error) {
    deps.logger.warn({ err: error, testId: test._id }, 'could not update the test message');
  }
}

/**
 * Starts the Domino job on the test tier and polls it with the injected clock, charging the time to each state,
 * until it reaches Running (the verdict: Pulling within the threshold), ends without running, times out, or is
 * cancelled — in which case the job is stopped.
 */
export async function runAmiTest(
  deps: RolloutDeps,
  initial: AmiTestRecord,
  signal: AbortSignal,
): Promise<AmiTestRecord> {
  const { domino: settings } = deps.config;
  const log = deps.logger.child({ testId: initial._id, deployment: initial.deployment, thread: initial.threadTs });
  const test: AmiTestRecord = { ...initial };
  const save = async (patch: Partial<AmiTestRecord>) => {
    Object.assign(test, patch);
    await deps.store.amiTests.save(test._id, patch);
  };
  const deadlineMs = deps.clock.now().getTime() + settings.testTimeoutMinutes * 60_000;
  let finish: Partial<AmiTestRecord> | undefined;
  try {
    const jobId = await deps.domino.startJob({
      projectId: settings.testProjectId ?? '',
      command: settings.testCommand,
      hardwareTierId: test.tierId,
      ...(settings.testEnvironmentId ? { environmentId: settings.testEnvironmentId } : {}),
      title: `ami-bot ${test._id}: ${test.amiId} on ${test.tierId}`,
    });
    // Domino's queue starts when it accepts the job: the start request's own latency is not the AMI's.
    const timer = createJobTimer(deps.clock.now().getTime());
    await save({ jobId });
    log.info({ jobId }, 'test job started');
    let errors = 0;
    let lastCancelCheckMs = deps.clock.now().getTime();
    while (!finish) {
      // A cancel asked on another replica is read from the store now and then; this process's own is instant.
      let stored: AmiTestRecord | undefined;
      if (deps.clock.now().getTime() - lastCancelCheckMs >= CANCEL_CHECK_MS) {
        stored = await deps.store.amiTests.get(test._id);
        lastCancelCheckMs = deps.clock.now().getTime();
      }
      if (signal.aborted || stored?.cancelRequested) {
        // A cancel is stored before the in-process signal fires: read again so it is not taken for a shutdown.
        if (!stored?.cancelRequested) stored = await deps.store.amiTests.get(test._id);
        await deps.domino.stopJob(jobId).catch((error: unknown) => log.warn({ err: error }, 'could not stop the job'));
        const by = stored?.cancelRequested?.by;
        finish = by
          ? {
              status: 'cancelled',
              reason: `Domino job ${jobId} stopped.`, // who cancelled is rendered from cancelRequested.by
              ...(stored?.cancelRequested ? { cancelRequested: stored.cancelRequested } : {}),
            }
          : { status: 'error', reason: `ami-bot stopped during the test; Domino job ${jobId} stopped.` };
        break;
      }
      let status: { executionStatus: string; isCompleted: boolean } | undefined;
      try {
        status = await deps.domino.getJobStatus(jobId);
        errors = 0;
      } catch (error) {
        if (++errors >= MAX_POLL_ERRORS) {
          await deps.domino.stopJob(jobId).catch(() => undefined);
          finish = { status: 'error', reason: `Domino stopped answering: ${userMessage(error)}` };
          break;
        }
        log.warn({ err: error, errors }, 'job status poll failed');
      }
      const nowMs = deps.clock.now().getTime();
      if (status) {
        const before = test.lastStatus;
        timer.observe(status.executionStatus, nowMs);
        const timing = timer.snapshot(nowMs);
        if (timing.toRunningSeconds !== undefined) {
          const pulling = timing.seconds.Pulling;
          const ok = (pulling ?? 0) <= test.pullPassSeconds;
          const took =
            pulling === undefined
              ? `Pulling was too short to be seen between two polls (under ${settings.testPollSeconds} s)`
              : `Pulling took ${pulling} s`;
          finish = {
            ...timing,
            status: ok ? 'passed' : 'failed',
            reason: ok
              ? `${took} (≤ ${test.pullPassSeconds} s): the images are on the AMI. Start to Running: ${timing.toRunningSeconds} s (a first start from a fresh snapshot can be slow while EBS loads lazily).`
              : `${took} (> ${test.pullPassSeconds} s): the environment's image is not (fully) cached on this AMI.`,
          };
          break;
        }
        if (status.isCompleted) {
          finish = {
            ...timing,
            status: 'failed',
            reason: `The job ended ${status.executionStatus} before it was Running.`,
          };
          break;
        }
        if (status.executionStatus !== before) {
          await save(timing);
          await show(deps, test);
        }
      }
      if (nowMs >= deadlineMs) {
        await deps.domino.stopJob(jobId).catch(() => undefined);
        finish = {
          ...timer.snapshot(nowMs),
          status: 'failed',
          reason: `Timed out after ${settings.testTimeoutMinutes} min in ${test.lastStatus ?? 'Queued'}; the job was stopped.`,
        };
        break;
      }
      await deps.clock.sleep(settings.testPollSeconds * 1000, signal).catch(() => undefined);
    }
  } catch (error) {
    finish = { status: 'error', reason: userMessage(error) };
    log.warn({ err: error }, 'test failed to run');
  }
  await save({ ...finish, endedAt: deps.clock.now() });
  await deps.store.locks.release(testLockKey(test.deployment), test._id).catch(() => undefined);
  await show(deps, test);
  await audit(deps, {
    actor: test.requester,
    action: 'test.finished',
    deployment: test.deployment,
    testId: test._id,
    summary: `${test.amiId} on ${test.tierId}: ${test.status}; Pulling ${test.seconds.Pulling ?? '—'} s, to Running ${test.toRunningSeconds ?? '—'} s`,
  });
  log.info({ status: test.status, seconds: test.seconds }, 'test finished');
  return test;
}
