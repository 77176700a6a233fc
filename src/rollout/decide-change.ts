import { AppError } from '../errors.js';
import { type ButtonOrigin, notItsMessage } from '../shared/button-origin.js';
import type { Reply } from '../shared/reply.js';
import { icon, type Text, text, user, when, words } from '../shared/text.js';
import { checkApprover } from './approvers.js';
import { refreshChangeMessage } from './change-messages.js';
import { type ChangeRecord, isFromOwnMessage } from './change-record.js';
import { notifyCancelled } from './notify-cancelled.js';
import { audit, type RolloutDeps, requireChangeId } from './rollout-deps.js';

export interface DecideChangeInput {
  userId: string;
  changeId: string;
  decision: 'approve' | 'reject';
  /** The button's message: it must be the change's own (isFromOwnMessage). */
  origin?: ButtonOrigin;
}

export function alreadyDecided(change: ChangeRecord, timeZone: string): Text {
  const d = change.decision;
  if (!d) return text`${change._id} is ${change.status}; nothing was changed.`;
  if (d.outcome === 'expired') {
    return text`${icon('expired')} ${change._id} expired at ${when(change.deadline, timeZone)} without a decision; nothing was changed.`;
  }
  return text`${change._id} was already ${d.outcome} by ${user(d.by)} at ${when(d.at, timeZone)} (now ${change.status}); your click changed nothing.`;
}

/** After a change is closed without an apply: the message shows it, and announced users hear it is off. */
export async function closeUnapplied(
  deps: RolloutDeps,
  change: ChangeRecord,
  actor: string,
  reason?: string,
): Promise<void> {
  await refreshChangeMessage(deps, change);
  await audit(deps, {
    actor,
    action: change.status === 'expired' ? 'change.expired' : 'change.rejected',
    deployment: change.deployment,
    changeId: change._id,
    summary: `${change.kind} ${change.status}${reason ? ` (${reason})` : ''}; nothing was changed`,
  });
  // The announcement thread and every user DMed about the change hear that it will not happen after all.
  notifyCancelled(deps, change);
}

/** Expires a pending change past its deadline (the scheduler, or a late click); true if this call did it. */
export async function expireChange(deps: RolloutDeps, changeId: string): Promise<boolean> {
  const won = await deps.store.changes.decide(changeId, { outcome: 'expired', by: 'ami-bot', at: deps.clock.now() });
  if (!won) return false;
  deps.metrics?.approvals.inc({ decision: 'expired' });
  const change = await deps.store.changes.get(changeId);
  if (change) await closeUnapplied(deps, change, 'ami-bot');
  return true;
}

/**
 * The Approve / Reject / Terminate buttons. Only approvers; never the requester's own approval (two-person
 * rule); never after the deadline. The store lets exactly one decision in — a double click, a second approver
 * a millisecond later, a retried delivery or a stale button all get "already decided" and change nothing.
 */
export function createDecideChange(deps: RolloutDeps, next: { apply(changeId: string, actor: string): void }) {
  const tz = deps.config.timeZone;
  const say = deps.presenter.content;
  return async function decideChange(input: DecideChangeInput): Promise<Reply> {
    requireChangeId(input.changeId);
    const change = await deps.store.changes.get(input.changeId);
    if (!change) throw new AppError('unknown_change', `No change ${input.changeId}; nothing was changed.`);
    if (input.origin && !isFromOwnMessage(change, input.origin))
      throw new AppError('not_its_message', notItsMessage(change._id));
    const approver = await checkApprover(deps.config, deps.chat, input.userId);
    if (!approver.ok) {
      deps.metrics?.approvals.inc({ decision: 'refused' });
      return say(
        text`${icon('forbidden')} Only approvers (${approver.who}) can decide ${change._id}; nothing was changed.`,
      );
    }
    if (change.decision) return say(alreadyDecided(change, tz));
    const now = deps.clock.now();
    if (now.getTime() >= change.deadline.getTime()) {
      await expireChange(deps, change._id);
      const after = await deps.store.changes.get(change._id);
      return say(after ? alreadyDecided(after, tz) : text`${change._id} has expired; nothing was changed.`);
    }
    if (input.decision === 'approve' && deps.config.twoPersonRule && input.userId === change.requester) {
      deps.metrics?.approvals.inc({ decision: 'refused' });
      return say(
        text`${icon('forbidden')} You requested ${change._id}, so another approver must approve it (two-person rule). Nothing was changed.`,
      );
    }
    const outcome = input.decision === 'approve' ? 'approved' : 'rejected';
    const decision = { outcome, by: input.userId, at: now } as const;
    if (!(await deps.store.changes.decide(change._id, decision))) {
      const current = (await deps.store.changes.get(change._id)) ?? change;
      return say(alreadyDecided(current, tz));
    }
    // The winner knows the decision: no second read.
    const after: ChangeRecord = { ...change, decision, status: outcome };

    deps.logger.info({ changeId: change._id, outcome, by: input.userId }, 'change decided');
    deps.metrics?.approvals.inc({ decision: outcome });
    if (outcome === 'rejected') {
      await closeUnapplied(deps, after, input.userId);
      return say(text`You rejected ${change._id}; nothing will be changed.`);
    }
    await audit(deps, {
      actor: input.userId,
      action: 'change.approved',
      deployment: change.deployment,
      changeId: change._id,
      summary: `approved ${change.kind} requested by ${change.requester}`,
    });
    if (change.applyAt && change.applyAt.getTime() > now.getTime()) {
      await refreshChangeMessage(deps, after);
      const until = change.applyUntil
        ? text`, and expires unapplied if it has not started by ${when(change.applyUntil, tz)}`
        : words('');
      return say(
        text`You approved ${change._id}; it applies in the maintenance window at ${when(change.applyAt, tz)}${until}.`,
      );
    }
    next.apply(change._id, input.userId);
    return say(text`You approved ${change._id}; applying now — the result follows in the thread.`);
  };
}
