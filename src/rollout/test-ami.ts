import { AppError, userMessage } from '../errors.js';
import type { InstanceInfo } from '../ports/ec2.js';
import { type ButtonOrigin, notItsMessage } from '../shared/button-origin.js';
import { isOrphanLock } from '../shared/orphan-lock.js';
import type { Reply } from '../shared/reply.js';
import { code, type Text, text, user, words } from '../shared/text.js';
import { type AmiTestRecord, isFromOwnMessage, isTestFinished, isTestId, newTestId } from './ami-test-record.js';
import { resolveAmiTarget } from './resolve-target.js';
import { audit, type RolloutDeps } from './rollout-deps.js';
import { moveOf, type TestTarget } from './rollout-target.js';
import { restoreTestTier, runAmiTest, testJournal, testLockKey, testTierExecutors } from './run-ami-test.js';
import { targetsFor } from './targets/targets-for.js';

/**
 * The test proves something only if its job runs on an executor booted from the AMI for it: any executor of the
 * test tier already up (on any AMI, this one included from an earlier test) could take the job. Running ones may
 * be busy or idle; stopped ones Domino restarts on their old disk. ami-bot never terminates without the approval
 * a drain needs, so it refuses and names them (pure).
 */
export function upExecutorsRefusal(
  tierLabel: string,
  executors: readonly InstanceInfo[],
  /** An EKS test node group: its cluster, for the command that rolls its nodes. */
  eks?: { cluster: string; nodegroup: string },
): Text | undefined {
  if (executors.length === 0) return undefined;
  const shown = executors
    .slice(0, 10)
    .map(
      (i) =>
        `${i.id} (${i.state}, ${i.imageId}${i.launchTime ? `, launched ${i.launchTime.toISOString().slice(0, 16)}Z` : ''})`,
    )
    .join(', ');
  const more = executors.length > 10 ? ` and ${executors.length - 10} more` : '';
  if (eks) {
    // A node group already on this AMI (an earlier test kept it): its nodes may have pulled images since they
    // booted. Fresh ones come from scaling it to zero and back; EKS keeps the launch template, so the AMI stays.
    const toZero = code(
      `aws eks update-nodegroup-config --cluster-name ${eks.cluster} --nodegroup-name ${eks.nodegroup} --scaling-config minSize=0,desiredSize=0`,
    );
    return text`${executors.length} node(s) of the test node group ${tierLabel} already run this AMI: ${shown}${more}. The test job could run on one of them, whose disk may have pulled images since it booted, and prove nothing. Scale the node group to zero (${toZero}), wait until its nodes are gone, scale it back to its former size, then run the test again. Nothing was changed.`;
  }
  const active = executors.some((i) => i.state !== 'stopped');
  const next = active
    ? 'Wait until Domino has stopped them (idle executors stop after executorStopTimeout), then terminate them'
    : 'Terminate them';
  const terminate = code(`aws ec2 terminate-instances --instance-ids ${executors.map((i) => i.id).join(' ')}`);
  return text`${executors.length} executor(s) of the test tier ${tierLabel} exist (running or stopped): ${shown}${more}. The test job could run on one of them instead of on an executor booted from the AMI, and prove nothing. ${words(next)} once a second person agrees, as for a drain (e.g. ${terminate}; ami-bot does not terminate them on its own), then run the test again. Nothing was changed.`;
}

/**
 * `/ami test <bake-id|ami-id>` and the "Test on <tier>" button: point ONLY the test tier at the AMI (guarded by
 * its current value), then time a short Domino job on it in the background. `cancelTest` stops it.
 */
export function createTestAmi(deps: RolloutDeps) {
  /** Tests this process runs, so a cancel stops the poll at once (other replicas see the stored flag). */
  const running = new Map<string, AbortController>();

  async function takeLock(deployment: string, testId: string): Promise<void> {
    const key = testLockKey(deployment);
    let holder = await deps.store.locks.acquire(key, testId, deps.clock.now());
    if (holder === undefined) return;
    const other = await deps.store.amiTests.get(holder);
    // A test still "running" long after its own timeout belonged to a process that died: close it and move on.
    const deadMs = (deps.config.domino.testTimeoutMinutes + 5) * 60_000;
    const ageMs = (test: AmiTestRecord) => deps.clock.now().getTime() - (test.endedAt ?? test.createdAt).getTime();
    const isDead = other && !isTestFinished(other) && ageMs(other) > deadMs;
    // Ended but never put back (its process died while restoring the test target): finish the restore here.
    const isUnrestored = other && isTestFinished(other) && other.restore === undefined;
    if (other && isDead) {
      const stopped = other.jobId
        ? await deps.domino.stopJob(other.jobId).then(
            () => true,
            () => false,
          )
        : true;
      await deps.store.amiTests.save(other._id, {
        status: 'error',
        reason: `ami-bot stopped during this test${stopped ? '' : `; Domino job ${other.jobId} may still need stopping`}.`,
        endedAt: deps.clock.now(),
      });
      await restoreTestTier(deps, other);
    } else if (other && isUnrestored && ageMs(other) > deadMs) {
      await restoreTestTier(deps, other);
    }
    // No test behind the lock: its holder saves one right after taking it, so this is a start still under way
    // (a duplicate delivery racing it) unless the lock is old enough to be an orphan of a crashed start.
    const isOrphan = !other && (await isOrphanLock(deps.store.locks, key, holder, deps.clock.now()));
    const isSettled = other && isTestFinished(other) && other.restore !== undefined;
    if (isOrphan || isDead || isSettled) {
      await deps.store.locks.release(key, holder);
      holder = await deps.store.locks.acquire(key, testId, deps.clock.now());
      if (holder === undefined) return;
    }
    throw new AppError(
      'test_in_progress',
      `Test ${holder} of ${deployment} is still running: wait for it or \`/ami cancel ${holder}\`.`,
    );
  }

  async function testAmi(input: {
    userId: string;
    channelId: string;
    target: string;
    keep?: boolean;
    origin?: ButtonOrigin;
  }): Promise<Reply> {
    const target = await resolveAmiTarget(deps, input);
    const { deployment } = target;
    const settings = deps.config.domino;
    const targets = targetsFor(deps, deployment.name);
    const configured = targets.testSetting();
    if (!configured.configured) {
      throw new AppError(
        'no_test_tier',
        `No ${configured.noun} is configured for ${deployment.name} (${configured.setting}${configured.setting === 'deployments[].testTier' ? ' / AMIBOT_TEST_TIER' : ''}).`,
      );
    }
    if (!settings.testProjectId) {
      throw new AppError(
        'no_test_project',
        'No Domino test project is configured (domino.testProjectId); nothing was changed.',
      );
    }
    const now = deps.clock.now();
    const testId = newTestId(now);
    await takeLock(deployment.name, testId);
    // Read under the lock: taking over from a dead test may just have put the tier back (its previousAmi is ours).
    let chosen: TestTarget;
    // Checked under the lock (a test of its own would have left its executor): refused, nothing is stored.
    try {
      chosen = await targets.testTarget();
      // Instances a switch replaces (a node group's nodes) cannot take the job once it is done; others could.
      const isReplaced = chosen.isReplacedBySwitch && chosen.target.ami !== target.amiId;
      const up = isReplaced
        ? []
        : await testTierExecutors(deps, { deployment: deployment.name, tierId: chosen.target.id });
      const eks =
        chosen.isReplacedBySwitch && deployment.eks
          ? { cluster: deployment.eks.cluster, nodegroup: chosen.target.id }
          : undefined;
      const refusal = upExecutorsRefusal(chosen.target.label, up, eks);
      if (refusal) throw new AppError('test_tier_executors_up', refusal);
    } catch (error) {
      await deps.store.locks.release(testLockKey(deployment.name), testId).catch(() => undefined);
      throw error;
    }
    const tier = chosen.target;
    const test: AmiTestRecord = {
      _id: testId,
      deployment: deployment.name,
      requester: input.userId,
      amiId: target.amiId,
      amiName: target.amiName,
      ...(target.bake ? { bakeId: target.bake._id } : {}),
      tierId: tier.id,
      ...(tier.idType ? { tierIdType: tier.idType } : {}),
      tierLabel: tier.label,
      previousAmi: tier.ami,
      ...(chosen.hardwareTierId === tier.id ? {} : { hardwareTierId: chosen.hardwareTierId }),
      ...(input.keep ? { keep: true } : {}),
      channel: target.channel,
      ...(target.threadTs ? { threadTs: target.threadTs } : {}),
      status: 'running',
      staleExecutors: [],
      seconds: {},
      statesSeen: [],
      pullPassSeconds: settings.pullPassSeconds,
      createdAt: now,
    };
    let saved = false;
    try {
      // Saved before anything else: a duplicate delivery that finds the lock taken then finds this test behind it.
      await deps.store.amiTests.insert(test);
      saved = true;
      if (tier.ami !== target.amiId) {
        // Saved before the switch: a takeover after a crash finishes this very move (same tokens), then restores.
        const move = moveOf(tier, target.amiId);
        test.switch = move;
        test.switchStartedAt = deps.clock.now();
        await deps.store.amiTests.save(testId, { switch: move, switchStartedAt: test.switchStartedAt });
        const [outcome] = await targets.apply([move], testJournal(deps, test, 'switchProgress'));
        if (outcome?.status === 'failed') {
          throw new AppError(
            'test_switch_failed',
            `The test target ${tier.label} could not be pointed at ${target.amiId}: ${outcome.error}`,
          );
        }
        if (outcome?.status !== 'applied') {
          throw new AppError(
            'test_tier_changed',
            `The test tier ${tier.label} changed while ami-bot was switching it; nothing was changed. Try again.`,
          );
        }
        await audit(deps, {
          actor: input.userId,
          action: 'test.tier-switched',
          deployment: deployment.name,
          testId,
          summary: `test tier ${tier.label} pointed at ${target.amiId}`,
          before: { [tier.id]: tier.ami },
          after: { [tier.id]: target.amiId },
        });
      }
      const posted = await deps.chat.post({
        channel: test.channel,
        ...deps.presenter.test(test),
        ...(test.threadTs ? { threadTs: test.threadTs } : {}),
      });
      test.messageTs = posted.ts;
      await deps.store.amiTests.save(testId, { messageTs: posted.ts });
      const controller = new AbortController();
      running.set(testId, controller);
      deps.tasks.run(`test ${testId}`, async (shutdown) => {
        try {
          await runAmiTest(deps, test, AbortSignal.any([controller.signal, shutdown]));
        } finally {
          running.delete(testId);
        }
      });
      const after = input.keep
        ? text`it stays there afterwards (--keep)`
        : text`it goes back to ${tier.ami} afterwards`;
      // A test of the AMI the tier already runs (a baseline) changes nothing on the tier: say that, not "goes back".
      const where =
        tier.ami === target.amiId
          ? text`${tier.label} already uses ${target.amiId}, so the tier is not changed`
          : text`${tier.label} now uses ${target.amiId} (${after})`;
      return deps.presenter.content(text`Test ${testId} started: ${where}; timing a Domino job in the thread.`);
    } catch (error) {
      if (saved) {
        await deps.store.amiTests
          .save(testId, { status: 'error', reason: userMessage(error), endedAt: deps.clock.now() })
          .catch(() => undefined);
        await restoreTestTier(deps, test);
      }
      await deps.store.locks.release(testLockKey(deployment.name), testId).catch(() => undefined);
      throw error;
    }
  }

  async function cancelTest(input: { userId: string; testId: string; origin?: ButtonOrigin }): Promise<Reply> {
    if (!isTestId(input.testId))
      throw new AppError('invalid_test_id', text`${code(input.testId.slice(0, 40))} is not a test id.`);
    const test = await deps.store.amiTests.get(input.testId);
    if (!test) throw new AppError('unknown_test', `No test ${input.testId}.`);
    if (input.origin && !isFromOwnMessage(test, input.origin))
      throw new AppError('not_its_message', notItsMessage(`test ${test._id}`));
    const say = deps.presenter.content;
    if (isTestFinished(test)) return say(text`Test ${test._id} has already ended (${test.status}); nothing to cancel.`);
    const after = await deps.store.amiTests.requestCancel(test._id, input.userId, deps.clock.now());
    running.get(test._id)?.abort(new Error('cancelled'));
    const by = after?.cancelRequested?.by;
    return by && by !== input.userId
      ? say(text`Test ${test._id} is already being cancelled (asked by ${user(by)}).`)
      : say(text`Cancelling test ${test._id}: its Domino job is stopped; the thread says when.`);
  }

  return { testAmi, cancelTest };
}
