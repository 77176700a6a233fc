import { errorCode, userMessage } from '../errors.js';
import { plainText } from '../shared/text.js';
import { expiryReason, unacceptedDrift, unavailableAmis } from './apply-guards.js';
import { announceApplied } from './change-applied.js';
import { refreshChangeMessage, replyInThread } from './change-messages.js';
import {
  type ApplyResult,
  type ChangeRecord,
  nothingWritten,
  type TierConflict,
  targetKey,
  targetUpdateOf,
} from './change-record.js';
import { closeUnapplied } from './decide-change.js';
import { notifyCancelled } from './notify-cancelled.js';
import { audit, type RolloutDeps } from './rollout-deps.js';
import type { ApplyJournal, TargetOutcome } from './rollout-target.js';
import { settleRunningWork } from './running-work.js';
import { targetsFor } from './targets/targets-for.js';
import { terminateDrain } from './terminate-drain.js';
import { driftAtApply } from './terraform-drift-text.js';

/** The apply's checkpoints on the change itself: a takeover after a crash reads what the crashed attempt saved. */
function changeJournal(deps: RolloutDeps, change: ChangeRecord): ApplyJournal {
  const progress = [...(change.progress ?? [])];
  return {
    changeId: change._id,
    signal: deps.tasks.signal,
    saved: (key) => progress.find((entry) => entry.key === key),
    async save(entry) {
      const at = progress.findIndex((saved) => saved.key === entry.key);
      if (at >= 0) progress[at] = entry;
      else progress.push(entry);
      await deps.store.changes.note(change._id, { progress: [...progress] });
    },
    async heartbeat() {
      await deps.store.changes
        .note(change._id, { applyAliveAt: deps.clock.now() })
        .catch((error: unknown) => deps.logger.warn({ err: error, changeId: change._id }, 'apply heartbeat failed'));
    },
  };
}

/**
 * Moves exactly the planned targets, each guarded by what the plan saw (rollout-target.ts: for tiers one bulk
 * write), then re-reads every planned target to verify. A retry after a crash sends the same guarded updates:
 * targets already on their AMI count as applied, so nothing is ever applied twice or over someone else's edit.
 */
async function applyTargets(deps: RolloutDeps, change: ChangeRecord): Promise<ApplyResult> {
  // The AMIs were checked when planned; an AMI deregistered since (or a revert's recorded AMI long gone) would
  // leave targets that cannot boot an executor: re-check every one right before the write, and write nothing if not.
  const missing = await unavailableAmis(
    deps.ec2,
    change.updates.map((t) => t.to),
  );
  if (missing.length > 0) {
    return nothingWritten('failed', deps.clock.now(), {
      error: `nothing was written: ${missing.map((m) => m.detail).join('; ')}. Plan again with an AMI that exists.`,
    });
  }
  const targets = targetsFor(deps, change.deployment);
  // Terraform drift, read again before the first write: a template Terraform manages since the plan (or one it
  // did not accept drift for) was never accepted by an admin for this change, so nothing is written. A takeover
  // (attempt > 1) finishes what the first attempt decided: its guarded writes may be half done.
  const isFirstAttempt = (change.apply?.attempt ?? 1) === 1;
  const drift = isFirstAttempt
    ? unacceptedDrift(await targets.notices(change.updates.map(targetUpdateOf)), change)
    : [];
  if (drift.length > 0) {
    return nothingWritten('failed', deps.clock.now(), { error: plainText(driftAtApply(drift, change)) });
  }
  const journal = changeJournal(deps, change);
  // The runs on the machines the apply replaces: said to be evicted, or waited for (nothing written if too long).
  const unsettled = await settleRunningWork(deps, change, targets, journal);
  if (unsettled) return unsettled;
  let writeError: unknown;
  let outcomes: TargetOutcome[] = [];
  try {
    outcomes = await targets.apply(change.updates.map(targetUpdateOf), journal);
  } catch (error) {
    if (deps.tasks.signal.aborted) throw error;
    writeError = error;
    deps.logger.error({ err: error, changeId: change._id, code: errorCode(error) }, 'target update failed');
  }
  const outcome = new Map(outcomes.map((o) => [o.key, o]));
  const written = outcomes.filter((o) => o.status === 'applied').map((o) => o.key);
  const current = new Map((await targets.list()).map((target) => [target.key, target.ami]));
  const verified = change.updates.filter((t) => current.get(targetKey(t)) === t.to).map(targetKey);
  const failures = change.updates.flatMap((t) => {
    const o = outcome.get(targetKey(t));
    return o?.status === 'failed' && !verified.includes(targetKey(t)) ? [`${t.label}: ${o.error}`] : [];
  });
  const conflicts: TierConflict[] = change.updates
    .filter((t) => {
      const key = targetKey(t);
      return current.get(key) !== t.to && !written.includes(key) && outcome.get(key)?.status !== 'failed';
    })
    .map((t) => {
      const o = outcome.get(targetKey(t));
      const found = (o?.status === 'conflict' && o.found) || current.get(targetKey(t)) || '';
      return { id: t.id, label: t.label, expected: t.guard ?? t.from, found };
    });
  const at = deps.clock.now();
  if (writeError !== undefined || failures.length > 0) {
    return {
      status: 'failed',
      at,
      applied: verified,
      conflicts,
      verified,
      unverified: [],
      error: writeError !== undefined ? userMessage(writeError) : failures.join('; '),
    };
  }
  const applied = [...new Set([...written, ...verified])];
  return {
    status: 'applied',
    at,
    applied,
    conflicts,
    verified,
    unverified: applied.filter((id) => !verified.includes(id)),
  };
}

/**
 * Applies an approved change: one process wins the claim (a second apply, a double click or another replica
 * gets nothing to do), writes, verifies, records the result and posts it. After a tier change the drain of
 * old executors is offered.
 */
export function createApplyChange(deps: RolloutDeps, next: { drainAfter(change: ChangeRecord): Promise<void> }) {
  async function expire(change: ChangeRecord, reason: string): Promise<ChangeRecord | undefined> {
    const result = nothingWritten('expired', deps.clock.now(), { reason });
    if (!(await deps.store.changes.finishApply(change._id, result))) return deps.store.changes.get(change._id);
    deps.logger.warn({ changeId: change._id, reason }, 'approved change expired before its apply started');
    deps.metrics?.applies.inc({ kind: change.kind, outcome: 'expired' });
    const done = (await deps.store.changes.get(change._id)) ?? { ...change, result, status: 'expired' };
    await closeUnapplied(deps, done, 'ami-bot', reason);
    await replyInThread(deps, done, deps.presenter.applyResult(done));
    return done;
  }

  return async function applyChange(changeId: string, actor: string): Promise<ChangeRecord | undefined> {
    const now = deps.clock.now();
    const staleBefore = new Date(now.getTime() - deps.config.rollout.applyStaleMinutes * 60_000);
    const claimed = await deps.store.changes.claimApply(changeId, deps.owner, now, staleBefore);
    if (!claimed) return undefined;
    const change = await deps.store.changes.get(changeId);
    if (!change) return undefined;
    const log = deps.logger.child({ changeId, deployment: change.deployment, attempt: change.apply?.attempt });
    // Checked at the claim, not only by the scan: whoever claims first after the window's end (a scan after
    // nine days down, a late button) finds the change expired and writes nothing. A takeover of an apply that
    // started in time (attempt > 1) finishes it: its guarded writes may be half done.
    const late = change.apply?.attempt === 1 ? expiryReason(change, now, deps.config) : undefined;
    if (late) return expire(change, late);
    log.info('applying change');
    // The message goes from pending or approved to applying in one edit (the click does not edit it first).
    await refreshChangeMessage(deps, change);

    let result: ApplyResult;
    try {
      result = change.kind === 'drain' ? await terminateDrain(deps, change) : await applyTargets(deps, change);
    } catch (error) {
      if (deps.tasks.signal.aborted) {
        // No result: the claim stays, and a takeover resumes the apply from the checkpoints on the change.
        log.warn('apply interrupted by shutdown: left for a takeover');
        return undefined;
      }
      log.error({ err: error }, 'apply failed');
      result = nothingWritten('failed', deps.clock.now(), { error: userMessage(error) });
    }
    if (!(await deps.store.changes.finishApply(changeId, result))) return deps.store.changes.get(changeId);
    deps.metrics?.applies.inc({ kind: change.kind, outcome: result.status });
    if (change.kind !== 'drain') {
      deps.metrics?.tierUpdates.inc({ result: 'applied' }, result.applied.length);
      deps.metrics?.tierUpdates.inc({ result: 'conflict' }, result.conflicts.length);
    }
    // This process's result won: the change as it now stands, without reading it again.
    const done: ChangeRecord = { ...change, result, status: result.status };
    await refreshChangeMessage(deps, done);
    await replyInThread(deps, done, deps.presenter.applyResult(done));
    const before =
      change.kind === 'drain'
        ? Object.fromEntries((change.drain?.stopped ?? []).map((i) => [i.id, 'stopped']))
        : Object.fromEntries(change.updates.map((t) => [t.id, t.from]));
    const after =
      change.kind === 'drain'
        ? Object.fromEntries(result.applied.map((id) => [id, 'terminated']))
        : Object.fromEntries(
            change.updates.map((t) => [t.id, result.verified.includes(targetKey(t)) ? t.to : `${t.from} (conflict)`]),
          );
    await audit(deps, {
      actor,
      action:
        change.kind === 'drain'
          ? 'drain.terminated'
          : result.status === 'applied'
            ? 'change.applied'
            : result.status === 'expired'
              ? 'change.expired'
              : 'change.apply-failed',
      deployment: change.deployment,
      changeId,
      summary:
        result.status === 'failed'
          ? `apply failed: ${result.error}`
          : result.status === 'expired'
            ? `expired without a write: ${result.reason}`
            : `${result.applied.length} changed, ${result.conflicts.length} conflicts, ${result.verified.length} verified`,
      before,
      after,
    });
    log.info(
      { status: result.status, applied: result.applied.length, conflicts: result.conflicts.length },
      'change applied',
    );
    // The AMIs targets use now are protected (and the superseded ones released) before the drain is offered.
    await announceApplied(deps, done, log);
    // Users were told it would happen: a failed apply that wrote nothing (an AMI gone) is off, as an expiry is.
    const isNothingWritten = result.applied.length === 0 && result.verified.length === 0;
    if (change.kind !== 'drain' && result.status !== 'applied' && isNothingWritten) {
      notifyCancelled(deps, done);
    }
    if (change.kind !== 'drain' && result.status === 'applied' && result.applied.length > 0) {
      await next.drainAfter(done).catch((error: unknown) => log.warn({ err: error }, 'could not list old executors'));
    }
    return done;
  };
}
