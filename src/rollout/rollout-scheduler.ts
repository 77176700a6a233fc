import { replyInThread } from './change-messages.js';
import { applyLastAliveMs, type ChangeRecord } from './change-record.js';
import { expireChange } from './decide-change.js';
import type { RolloutDeps } from './rollout-deps.js';

export interface RolloutScheduler {
  /** Starts the periodic scan (every `rollout.scanSeconds` of the clock). */
  start(): void;
  /** One scan: expire, remind, apply what is due, take over applies whose process died; resolves once all are done. */
  tick(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when no scan is running (tests, shutdown). */
  idle(): Promise<void>;
}

/**
 * An approval without a window is applied by the approver's own request at once; the scan applies it only when
 * that has not started within this time (the process died between the decision and the claim).
 */
const APPLY_GRACE_MS = 60_000;

/**
 * The time-driven half of the rollout. Each action is claimed in the store first, so any number of replicas
 * may scan: one expires a change, one sends the reminder, one applies it.
 */
export function createRolloutScheduler(
  deps: RolloutDeps,
  apply: (changeId: string, actor: string) => Promise<unknown>,
): RolloutScheduler {
  const stopper = new AbortController();
  let loop: Promise<void> | undefined;
  let scanning: Promise<void> = Promise.resolve();

  // The periodic scan starts each apply as background work: a node group update takes minutes, and the scan's
  // expiries and reminders of other changes must not wait for it (the apply's claim keeps a second scan off it).
  const inBackground: StartApply = async (changeId, actor) => {
    deps.tasks.run(`apply ${changeId}`, async () => {
      await apply(changeId, actor);
    });
  };

  async function remind(change: ChangeRecord): Promise<void> {
    if (!(await deps.store.changes.claimReminder(change._id, deps.clock.now()))) return;
    const message = deps.presenter.reminder(change);
    const channel = deps.config.announceChannel;
    if (channel) {
      await deps.chat
        .post({
          channel,
          ...message,
          ...(change.announcement?.channelTs ? { threadTs: change.announcement.channelTs } : {}),
        })
        .catch((error: unknown) =>
          deps.logger.warn({ err: error, changeId: change._id }, 'could not post the reminder'),
        );
    }
    await replyInThread(deps, change, message);
  }

  type StartApply = (changeId: string, actor: string) => Promise<unknown>;

  async function handle(change: ChangeRecord, nowMs: number, apply: StartApply): Promise<void> {
    const staleMs = deps.config.rollout.applyStaleMinutes * 60_000;
    const remindMs = deps.config.rollout.reminderMinutesBefore * 60_000;
    if (change.status === 'pending' && nowMs >= change.deadline.getTime()) {
      await expireChange(deps, change._id);
    } else if (change.status === 'approved') {
      const at = change.applyAt?.getTime() ?? (change.decision?.at.getTime() ?? 0) + APPLY_GRACE_MS;
      if (nowMs >= at) await apply(change._id, 'ami-bot');
      // Only a maintenance window is reminded of: without one the approver's own request is applying it now
      // (a scan between the decision and that apply's claim used to post "Reminder: … window starting undefined").
      else if (change.applyAt && !change.reminderSentAt && nowMs >= at - remindMs) await remind(change);
    } else if (change.status === 'applying' && change.apply && nowMs - applyLastAliveMs(change) > staleMs) {
      deps.logger.warn(
        { changeId: change._id, attempt: change.apply.attempt },
        'taking over an apply whose process died',
      );
      await apply(change._id, 'ami-bot');
    }
  }

  async function scan(startApply: StartApply): Promise<void> {
    const nowMs = deps.clock.now().getTime();
    for (const change of await deps.store.changes.listOpen()) {
      try {
        await handle(change, nowMs, startApply);
      } catch (error) {
        deps.logger.error({ err: error, changeId: change._id }, 'scheduled rollout step failed');
      }
    }
  }

  return {
    start() {
      if (loop) return;
      loop = (async () => {
        while (!stopper.signal.aborted) {
          scanning = scan(inBackground).catch((error: unknown) =>
            deps.logger.error({ err: error }, 'rollout scan failed'),
          );
          await scanning;
          await deps.clock.sleep(deps.config.rollout.scanSeconds * 1000, stopper.signal).catch(() => undefined);
        }
      })();
    },
    tick: () => scan(apply),
    async stop() {
      stopper.abort(new Error('stopping'));
      await loop;
    },
    idle: () => scanning,
  };
}
