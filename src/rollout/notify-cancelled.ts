import { eachLimited } from '../shared/async-queue.js';
import { cancelledUserMessage } from '../slack/blocks/announce-message.js';
import type { ChangeRecord } from './change-record.js';
import type { RolloutDeps } from './rollout-deps.js';

/** Claims of the cancellation DM live beside the announcement's, under their own key per change. */
const cancelledKey = (changeId: string) => `${changeId}:cancelled`;

/**
 * Tells every user who was DMed about a change that it is off (rejected or expired). Each user is claimed
 * before the DM goes out, as the announcement does, so a duplicate delivery, a second replica or an expiry racing
 * a reject sends it once; a failed DM gives its claim back. Runs in the background: the click's answer does not
 * wait for hundreds of DMs.
 */
export function notifyCancelled(deps: RolloutDeps, change: ChangeRecord): void {
  deps.tasks.run(`notify cancelled ${change._id}`, async () => {
    const log = deps.logger.child({ changeId: change._id, deployment: change.deployment });
    const message = cancelledUserMessage(change);
    const users = await deps.store.notifications.listNotified(change._id);
    await eachLimited(users, deps.config.rollout.dmConcurrency, async (userId) => {
      if (!(await deps.store.notifications.claim(cancelledKey(change._id), userId, deps.clock.now()))) return;
      try {
        await deps.chat.dm(userId, message.text, message.blocks);
      } catch (error) {
        await deps.store.notifications.release(cancelledKey(change._id), userId).catch(() => undefined);
        log.warn({ err: error, userId }, 'could not DM the cancellation');
      }
    });
  });
}
