import { userMessage } from '../errors.js';
import type { Logger } from '../shared/logger.js';
import { icon, type Text, text } from '../shared/text.js';
import { replyInThread } from './change-messages.js';
import type { ChangeRecord } from './change-record.js';
import type { RolloutDeps } from './rollout-deps.js';

/**
 * What another feature does once a change moved targets (the lifecycle protects the AMIs now in use). The
 * rollout does not know who listens: bot.ts subscribes, so rollout/ never imports the features built on it.
 * `run` returns a line for the change's thread, or nothing to say.
 */
export interface ChangeAppliedListener {
  /** What it does, for the log and the thread line when it fails ("AMI deregistration protection"). */
  name: string;
  run(change: ChangeRecord): Promise<Text | undefined>;
}

/** A change that moved at least one target (a rollout or a revert, also partly failed): the listeners' event. */
export function hasMovedTargets(change: ChangeRecord): boolean {
  const result = change.result;
  return change.kind !== 'drain' && result !== undefined && (result.applied.length > 0 || result.verified.length > 0);
}

/**
 * Tells every listener, in turn, best effort: a listener's failure is logged and said in the change's thread, and
 * never fails the apply (its result is already recorded and posted).
 */
export async function announceApplied(deps: RolloutDeps, change: ChangeRecord, log: Logger): Promise<void> {
  if (!hasMovedTargets(change)) return;
  for (const listener of deps.onApplied ?? []) {
    let line: Text | undefined;
    try {
      line = await listener.run(change);
    } catch (error) {
      log.warn({ err: error, listener: listener.name }, 'after-apply work failed');
      line = text`${icon('warning')} The apply is done (nothing was undone), but ${listener.name} failed after it: ${userMessage(error)}`;
    }
    if (line) await replyInThread(deps, change, deps.presenter.content(line));
  }
}
