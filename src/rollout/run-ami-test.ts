import { userMessage } from '../errors.js';
import type { InstanceInfo } from '../ports/ec2.js';
import { isTemplateInstance } from '../shared/deployment-scope.js';
import { type TargetNoun, targetNoun, targetNounOf } from '../shared/target-noun.js';
import type { AmiTestRecord, TestExecutor } from './ami-test-record.js';
import { createJobTimer } from './job-timing.js';
import { audit, type RolloutDeps, requireDeployment } from './rollout-deps.js';
import { type ApplyJournal, moveOf, type TargetProgress } from './rollout-target.js';
import { type TargetDeps, targetsFor } from './targets/targets-for.js';

/** Consecutive failed status polls before the test gives up (one blip should not fail a 10-minute test). */
const MAX_POLL_ERRORS = 3;

/** How often (clock time) the store is asked whether another replica cancelled the test. */
const CANCEL_CHECK_MS = 10_000;

const MEASURED = new Set<AmiTestRecord['status']>(['passed', 'failed', 'unproven']);

export const testLockKey = (deployment: string) => `test:${deployment}`;

/** States in which an executor can take (or soon take) a Domino job: the test refuses to start beside one. */
export const UP_STATES = new Set<InstanceInfo['state']>(['pending', 'running', 'stopping', 'stopped']);

/** Live executors of the test tier, on any AMI (the deployment's executor tags with the tier id). */
export async function testTierExecutors(
  deps: Pick<RolloutDeps, 'ec2'> & TargetDeps,
  test: Pick<AmiTestRecord, 'deployment' | 'tierId'>,
): Promise<InstanceInfo[]> {
  const deployment = requireDeployment(deps.config, test.deployment);
  const scope = targetsFor(deps, test.deployment).instanceScope();
  const found = await deps.ec2.findInstancesByTags(scope.tagsOf(test.tierId));
  // The template may carry the tier tag; it never runs a job, so it neither blocks nor proves a test.
  return found.filter((i) => UP_STATES.has(i.state) && !isTemplateInstance(deployment, i));
}

/**
 * Which instance ran the job (pure). The test started with no executor of the test tier up, so once the job is
 * Running every executor of the tier must be one booted for it: on the AMI under test, launched after the test
 * began. Anything else up beside it means the job may have run there, and the test proves nothing. `noun` words
 * the reasons as the deployment's kind does (an EKS test node group's nodes).
 */
export function identifyExecutor(
  test: Pick<AmiTestRecord, 'amiId' | 'createdAt' | 'switchStartedAt'>,
  executors: readonly InstanceInfo[],
  noun: TargetNoun = targetNoun(),
): { executor: TestExecutor } | { unproven: string } {
  // Launched after the switch began (a node group's update launches the nodes the job can run on), else after
  // the test began. EC2's LaunchTime has whole seconds: one booted in that second must still count.
  const began = test.switchStartedAt ?? test.createdAt;
  const startedMs = began.getTime() - (began.getTime() % 1000);
  const isLaunchedForTest = (i: InstanceInfo) => i.launchTime !== undefined && i.launchTime.getTime() >= startedMs;
  const other = executors.find((i) => i.imageId !== test.amiId || !isLaunchedForTest(i));
  if (other) {
    const launched = other.launchTime ? `launched ${other.launchTime.toISOString()}` : 'launch time unknown';
    const why =
      other.imageId !== test.amiId
        ? `on ${other.imageId}, not the AMI under test`
        : `launched before this test began at ${began.toISOString()}`;
    return {
      unproven: `${noun.machine} ${other.id} of the test ${noun.short} (${other.state}, ${other.imageId}, ${launched}) was up while the job ran (${why}): the job may have run there instead of on ${noun.aMachine} booted from ${test.amiId} for this test.`,
    };
  }
  const first = [...executors].sort((a, b) => (a.launchTime?.getTime() ?? 0) - (b.launchTime?.getTime() ?? 0))[0];
  if (!first?.launchTime) {
    return { unproven: `no ${noun.machine} of the test ${noun.short} was found on EC2 while the job was Running.` };
  }
  return { executor: { instanceId: first.id, imageId: first.imageId, launchTime: first.launchTime } };
}

/**
 * The journal of the test's switch or restore, kept on the test record: a takeover after a crash finds the launch
 * template version and the node group update the dead process made, and the same client tokens return them.
 */
export function testJournal(
  deps: Pick<RolloutDeps, 'store'>,
  test: AmiTestRecord,
  field: 'switchProgress' | 'restoreProgress',
  signal: AbortSignal = new AbortController().signal,
): ApplyJournal {
  return {
    changeId: test._id,
    signal,
    saved: (key) => test[field]?.find((p) => p.key === key),
    async save(progress: TargetProgress) {
      const next = [...(test[field] ?? []).filter((p) => p.key !== progress.key), progress];
      test[field] = next;
      await deps.store.amiTests.save(test._id, { [field]: next });
    },
    async heartbeat() {},
  };
}

/**
 * Puts the test tier back on the AMI it had before the test (guarded: only if it is still on the AMI under test),
 * unless the admin asked to keep it (`--keep`). A switch a crash cut short (its progress saved, the target not yet
 * on the AMI) is finished first with its own journal, so no update still rolling towards the AMI under test
 * overtakes the restore; the restore keeps its own journal, so a takeover of either makes no second version.
 * Never throws: the outcome is stored on the test and shown.
 */
export async function restoreTestTier(
  deps: RolloutDeps,
  test: AmiTestRecord,
): Promise<NonNullable<AmiTestRecord['restore']>> {
  let restore: NonNullable<AmiTestRecord['restore']>;
  if (test.keep) {
    restore = { at: deps.clock.now(), outcome: 'kept', detail: `kept on ${test.amiId} (--keep)` };
  } else if (test.previousAmi === test.amiId) {
    restore = { at: deps.clock.now(), outcome: 'restored', detail: `was already on ${test.amiId} before the test` };
  } else {
    try {
      const targets = targetsFor(deps, test.deployment);
      const current = async () => {
        const { target } = await targets.testTarget();
        const isSame =
          target.id === test.tierId && (test.tierIdType === undefined || target.idType === test.tierIdType);
        return isSame ? target : undefined;
      };
      let tier = await current();
      if (tier && test.switch && (test.switchProgress?.length ?? 0) > 0 && tier.ami !== test.amiId) {
        await targets.apply([test.switch], testJournal(deps, test, 'switchProgress'));
        tier = await current();
      }
      // Guarded by what it is on now, and only while that is the AMI under test: anything else is someone's edit.
      const [outcome] =
        tier?.ami === test.amiId
          ? await targets.apply([moveOf(tier, test.previousAmi)], testJournal(deps, test, 'restoreProgress'))
          : [];
      const written = outcome?.status === 'applied';
      const at = deps.clock.now();
      if (written || tier?.ami === test.previousAmi) {
        restore = { at, outcome: 'restored', detail: `back on ${test.previousAmi}` };
        if (written) {
          await audit(deps, {
            actor: test.requester,
            action: 'test.tier-restored',
            deployment: test.deployment,
            testId: test._id,
            summary: `test tier ${test.tierLabel} back on ${test.previousAmi}`,
            before: { [test.tierId]: test.amiId },
            after: { [test.tierId]: test.previousAmi },
          });
        }
      } else if (outcome?.status === 'failed') {
        restore = {
          at,
          outcome: 'failed',
          detail: `could not be put back on ${test.previousAmi}: ${outcome.error}; set it by hand`,
        };
      } else {
        restore = {
          at,
          outcome: 'changed',
          detail: `left alone: it is on ${tier?.ami ?? '(tier gone)'} now, not ${test.amiId} (changed by someone else during the test)`,
        };
      }
    } catch (error) {
      restore = {
        at: deps.clock.now(),
        outcome: 'failed',
        detail: `could not be put back on ${test.previousAmi}: ${userMessage(error)}; set it by hand`,
      };
    }
  }
  await deps.store.amiTests.save(test._id, { restore }).catch(() => undefined);
  test.restore = restore;
  return restore;
}

async function previousFigures(deps: RolloutDeps, test: AmiTestRecord): Promise<AmiTestRecord | undefined> {
  const before = await deps.store.amiTests.latestFinished(test.deployment, test.previousAmi);
  if (before && before.amiId !== test.amiId) return before;
  // The test tier goes back after each test, so "previous" is the newest measured test of any other AMI.
  const recent = await deps.store.amiTests.listRecent(20, test.deployment);
  return recent.find((t) => MEASURED.has(t.status) && t.amiId !== test.amiId);
}

async function show(deps: RolloutDeps, test: AmiTestRecord): Promise<void> {
  if (!test.messageTs) return;
  try {
    const message = deps.presenter.test(test, await previousFigures(deps, test));
    await deps.chat.update({ channel: test.channel, ts: test.messageTs, ...message });
  } catch (error) {
    deps.logger.warn({ err: error, testId: test._id }, 'could not update the test message');
  }
}

/** Reads EC2 once the job is Running; a failed lookup leaves the test unproven, never passed. */
async function proveExecutor(
  deps: RolloutDeps,
  test: AmiTestRecord,
): Promise<{ executor: TestExecutor } | { unproven: string }> {
  const noun = targetNounOf(deps.config.deployments, test.deployment);
  try {
    return identifyExecutor(test, await testTierExecutors(deps, test), noun);
  } catch (error) {
    return { unproven: `EC2 could not list the test ${noun.short}'s ${noun.machines}: ${userMessage(error)}.` };
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
      hardwareTierId: test.hardwareTierId ?? test.tierId,
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
          const proof = await proveExecutor(deps, test);
          const where =
            'executor' in proof
              ? ` on ${proof.executor.instanceId}, booted from ${proof.executor.imageId} at ${proof.executor.launchTime.toISOString()} for this test`
              : '';
          finish = {
            ...timing,
            ...proof,
            status: ok ? ('executor' in proof ? 'passed' : 'unproven') : 'failed',
            reason: !ok
              ? `${took} (> ${test.pullPassSeconds} s)${where}: the environment's image is not (fully) cached on this AMI.`
              : 'executor' in proof
                ? `${took} (≤ ${test.pullPassSeconds} s)${where}: the images are on the AMI. Start to Running: ${timing.toRunningSeconds} s (a first start from a fresh snapshot can be slow while EBS loads lazily).`
                : `${took}, but not proven: ${proof.unproven} This test does not count as passed; terminate the other ${targetNounOf(deps.config.deployments, test.deployment).machines} and test again.`,
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
  // Back to the AMI it had (unless --keep) before the lock goes: the next test then starts from a known tier.
  await restoreTestTier(deps, test);
  await deps.store.locks.release(testLockKey(test.deployment), test._id).catch(() => undefined);
  await show(deps, test);
  await audit(deps, {
    actor: test.requester,
    action: 'test.finished',
    deployment: test.deployment,
    testId: test._id,
    summary: `${test.amiId} on ${test.tierId}: ${test.status}; Pulling ${test.seconds.Pulling ?? '—'} s, to Running ${test.toRunningSeconds ?? '—'} s; ${test.executor ? `ran on ${test.executor.instanceId}` : `executor not proven${test.unproven ? `: ${test.unproven}` : ''}`}; test tier ${test.restore?.outcome ?? '?'}`,
  });
  log.info({ status: test.status, seconds: test.seconds }, 'test finished');
  return test;
}
