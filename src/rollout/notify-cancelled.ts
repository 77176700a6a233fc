import { eachLimited } from '../shared/async-queue.js';
import type { ChangeRecord } from './change-record.js';
import type { RolloutDeps } from './rollout-deps.js';

/** Claims of the cancellation DM live beside the announcement's, under their own key per change. */
const cancelledKey = (changeId: string) => `${changeId}:cancelled`;

/** Between two passes while the announcement is still DMing people (clock time). */
const PASS_PAUSE_MS = 5_000;
/** An announcement that has not finished by then died with its process: stop waiting for it. */
const MAX_WAIT_MS = 30 * 60_000;

/**
 * Tells the announcement thread and every user who was DMed about a change that it is off (rejected, expired,
 * or failed before writing). Each user is claimed
 * before the DM goes out, as the announcement does, so a duplicate delivery, a second replica or an expiry racing
 * a reject sends it once; a failed DM gives its claim back. A change can be closed while its announcement is
 * still DMing people, so passes repeat until the announcement has stored its summary (it does so after its last
 * DM). Runs in the background: the click's answer does not wait for hundreds of DMs.
 */
export function notifyCancelled(deps: RolloutDeps, change: ChangeRecord): void {
  deps.tasks.run(`notify cancelled ${change._id}`, async (signal) => {
    const log = deps.logger.child({ changeId: change._id, deployment: change.deployment });
    const message = deps.presenter.cancelledUser(change);
    const key = cancelledKey(change._id);
    const giveUpMs = deps.clock.now().getTime() + MAX_WAIT_MS;
    let channelTold = false;
    for (;;) {
      const announcement = (await deps.store.changes.get(change._id))?.announcement;
      const announced = announcement !== undefined;
      // The announcement channel hears it once its post is known: a change closed while the announcement was
      // still going out (its summary not stored yet) must not leave the channel's "changes at …" standing.
      const channel = deps.config.announceChannel;
      if (!channelTold && channel && announcement?.channelTs) {
        channelTold = true;
        await deps.chat
          .post({ channel, threadTs: announcement.channelTs, ...deps.presenter.cancelledNotice(change) })
          .catch((error: unknown) => log.warn({ err: error }, 'could not post the cancellation'));
      }
      const users = await deps.store.notifications.listNotified(change._id);
      await eachLimited(users, deps.config.rollout.dmConcurrency, async (userId) => {
        if (!(await deps.store.notifications.claim(key, userId, deps.clock.now()))) return;
        try {
          await deps.chat.dm(userId, message.text, message.blocks);
        } catch (error) {
          await deps.store.notifications.release(key, userId).catch(() => undefined);
          log.warn({ err: error, userId }, 'could not DM the cancellation');
        }
      });
      if (announced || change.updates.length === 0 || deps.clock.now().getTime() >= giveUpMs) return;
      await deps.clock.sleep(PASS_PAUSE_MS, signal);
    }
  });
}
