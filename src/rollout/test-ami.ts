import { AppError, userMessage } from '../errors.js';
import { type ButtonOrigin, notItsMessage } from '../shared/button-origin.js';
import { isOrphanLock } from '../shared/orphan-lock.js';
import type { Reply } from '../shared/reply.js';
import { testMessage } from '../slack/blocks/test-message.js';
import { type AmiTestRecord, isFromOwnMessage, isTestFinished, isTestId, newTestId } from './ami-test-record.js';
import { resolveAmiTarget } from './resolve-target.js';
import { audit, executorTagsFor, type RolloutDeps } from './rollout-deps.js';
import { runAmiTest, testLockKey } from './run-ami-test.js';

const LIVE = new Set(['pending', 'running', 'stopping', 'stopped']);

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
    const isDead = other && !isTestFinished(other) && deps.clock.now().getTime() - other.createdAt.getTime() > deadMs;
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
    }
    // No test behind the lock: its holder saves one right after taking it, so this is a start still under way
    // (a duplicate delivery racing it) unless the lock is old enough to be an orphan of a crashed start.
    const isOrphan = !other && (await isOrphanLock(deps.store.locks, key, holder, deps.clock.now()));
    if (isOrphan || isDead || (other && isTestFinished(other))) {
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
    origin?: ButtonOrigin;
  }): Promise<Reply> {
    const target = await resolveAmiTarget(deps, input);
    const { deployment } = target;
    const settings = deps.config.domino;
    if (!deployment.testTier) {
      throw new AppError(
        'no_test_tier',
        `No test tier is configured for ${deployment.name} (deployments[].testTier / AMIBOT_TEST_TIER).`,
      );
    }
    if (!settings.testProjectId) {
      throw new AppError(
        'no_test_project',
        'No Domino test project is configured (domino.testProjectId); nothing was changed.',
      );
    }
    const tiers = await deps.tiers.listTiers();
    const tier = tiers.find((t) => t.id === deployment.testTier) ?? tiers.find((t) => t.label === deployment.testTier);
    if (!tier)
      throw new AppError(
        'unknown_test_tier',
        `Domino has no hardware tier \`${deployment.testTier}\`; nothing was changed.`,
      );

    const now = deps.clock.now();
    const testId = newTestId(now);
    await takeLock(deployment.name, testId);
    const test: AmiTestRecord = {
      _id: testId,
      deployment: deployment.name,
      requester: input.userId,
      amiId: target.amiId,
      amiName: target.amiName,
      ...(target.bake ? { bakeId: target.bake._id } : {}),
      tierId: tier.id,
      tierLabel: tier.label,
      previousAmi: tier.executorImage,
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
      const stale = (await deps.ec2.findInstancesByTags(executorTagsFor(deployment, tier.id)))
        .filter((i) => LIVE.has(i.state) && i.imageId !== target.amiId)
        .map((i) => ({ id: i.id, imageId: i.imageId, state: i.state }));
      if (stale.length > 0) {
        test.staleExecutors = stale;
        await deps.store.amiTests.save(testId, { staleExecutors: stale });
      }
      if (tier.executorImage !== target.amiId) {
        const update = { id: tier.id, idType: tier.idType, from: tier.executorImage, to: target.amiId };
        const result = await deps.tiers.applyImageUpdates([update]);
        if (!result.applied.includes(tier.id)) {
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
          before: { [tier.id]: tier.executorImage },
          after: { [tier.id]: target.amiId },
        });
      }
      const posted = await deps.chat.post({
        channel: test.channel,
        ...testMessage(test),
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
      const warning =
        stale.length > 0
          ? ` :warning: ${stale.length} executor(s) of the tier are up on another AMI: the result may not prove anything (see the thread).`
          : '';
      return {
        text: `Test ${testId} started: ${tier.label} now uses ${target.amiId}; timing a Domino job in the thread.${warning}`,
      };
    } catch (error) {
      if (saved) {
        await deps.store.amiTests
          .save(testId, { status: 'error', reason: userMessage(error), endedAt: deps.clock.now() })
          .catch(() => undefined);
      }
      await deps.store.locks.release(testLockKey(deployment.name), testId).catch(() => undefined);
      throw error;
    }
  }

  async function cancelTest(input: { userId: string; testId: string; origin?: ButtonOrigin }): Promise<Reply> {
    if (!isTestId(input.testId))
      throw new AppError('invalid_test_id', `\`${input.testId.slice(0, 40)}\` is not a test id.`);
    const test = await deps.store.amiTests.get(input.testId);
    if (!test) throw new AppError('unknown_test', `No test ${input.testId}.`);
    if (input.origin && !isFromOwnMessage(test, input.origin))
      throw new AppError('not_its_message', notItsMessage(`test ${test._id}`));
    if (isTestFinished(test))
      return { text: `Test ${test._id} has already ended (${test.status}); nothing to cancel.` };
    const after = await deps.store.amiTests.requestCancel(test._id, input.userId, deps.clock.now());
    running.get(test._id)?.abort(new Error('cancelled'));
    const by = after?.cancelRequested?.by;
    return by && by !== input.userId
      ? { text: `Test ${test._id} is already being cancelled (asked by <@${by}>).` }
      : { text: `Cancelling test ${test._id}: its Domino job is stopped; the thread says when.` };
  }

  return { testAmi, cancelTest };
}
