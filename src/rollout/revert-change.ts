import { AppError } from '../errors.js';
import { plural } from '../shared/format.js';
import type { Reply } from '../shared/reply.js';
import { targetNounOf } from '../shared/target-noun.js';
import { text, words } from '../shared/text.js';
import { announceInBackground } from './announce-change.js';
import { unacceptedDrift, unavailableAmis } from './apply-guards.js';
import { approverNote } from './approver-capacity.js';
import { audienceOf } from './change-audience.js';
import { withChangeLock } from './change-lock.js';
import { postChange } from './change-messages.js';
import {
  type ChangeRecord,
  isTierApplied,
  type SkippedTier,
  snapshotOf,
  type TierUpdatePlan,
  targetKey,
  targetUpdateOf,
} from './change-record.js';
import { refuseIfOpen } from './plan-rollout.js';
import { audit, type RolloutDeps, requireChangeId } from './rollout-deps.js';
import { storeNewChange } from './store-change.js';
import { targetsFor } from './targets/targets-for.js';
import { revertDriftRefusal } from './terraform-drift-text.js';

/** The audit's words for the revert's Terraform drift: accepted anew, or carried over from the reverted change. */
function driftNote(change: ChangeRecord): string {
  if (!change.notices?.length) return '';
  const groups = `${change.notices.length} node group(s)`;
  return change.noticesCarriedFrom
    ? `; Terraform drift accepted for ${change.noticesCarriedFrom} carried over for ${groups}`
    : `; drift from Terraform accepted for ${groups}`;
}

export interface RevertChangeInput {
  userId: string;
  channelId: string;
  changeId: string;
  /** `--accept-terraform-drift`: the admin reverts knowing node groups drift that the reverted change did not accept. */
  acceptDrift?: boolean;
}

/**
 * `/ami revert <change-id>`: a NEW change that puts back the AMIs recorded in the applied change's snapshot,
 * for the tiers it moved that are still as it left them (the AMI it set; a node group the launch template version
 * it made) — a tier someone has changed since is left alone and listed. Terraform drift is checked again: the
 * acceptance of the reverted change carries over to the same node groups on the same templates, and any other
 * template Terraform manages needs `--accept-terraform-drift`. It then goes through the same approval and guarded
 * apply as any change.
 */
export function createRevertChange(deps: RolloutDeps) {
  return async function revertChange(input: RevertChangeInput): Promise<Reply> {
    requireChangeId(input.changeId);
    const source = await deps.store.changes.get(input.changeId);
    if (!source)
      throw new AppError('unknown_change', `No change ${input.changeId}; \`/ami history\` lists recent ones.`);
    if (source.kind === 'drain')
      throw new AppError('not_revertible', `${source._id} terminated executors; that cannot be reverted.`);
    if (source.status !== 'applied' || !source.result) {
      throw new AppError('not_applied', `${source._id} is ${source.status}: only an applied change can be reverted.`);
    }
    // Serialised per deployment: a duplicate delivery waits, then finds this revert open (withChangeLock).
    const change = await withChangeLock(deps, source.deployment, async () => {
      await refuseIfOpen(deps, source.deployment);
      const now = deps.clock.now();
      const port = targetsFor(deps, source.deployment);
      const targets = await port.list();
      const current = new Map(targets.map((target) => [target.key, target]));
      const recorded = new Map(source.snapshot.map((entry) => [targetKey(entry), entry.executorImage]));
      const moved = source.updates.filter((t) => isTierApplied(source.result, t));
      // A recorded AMI deregistered since cannot boot executors: that tier is left alone and listed.
      const originals = moved.map((t) => recorded.get(targetKey(t)) ?? t.from);
      const gone = new Map((await unavailableAmis(deps.ec2, originals)).map((m) => [m.amiId, m.detail]));
      const updates: TierUpdatePlan[] = [];
      const skipped: SkippedTier[] = [];
      for (const planned of moved) {
        const tier = current.get(targetKey(planned));
        const original = recorded.get(targetKey(planned)) ?? planned.from;
        const missing = gone.get(original);
        if (tier && missing) {
          skipped.push({
            id: planned.id,
            label: tier.label,
            executorImage: tier.ami,
            reason: 'missing-image',
            detail: `its recorded AMI cannot be restored (${missing}): left on ${tier.ami}`,
          });
          continue;
        }
        // Re-read now: a target someone moved since (even to another version with the same AMI) is theirs.
        const changed = tier ? await port.changedSince(source._id, targetUpdateOf(planned), tier) : 'no longer exists';
        if (tier && changed === undefined) {
          // Guarded by what it is on now; for a node group a new launch template version with the recorded AMI.
          updates.push({ ...snapshotOf(tier), from: planned.to, to: original });
        } else {
          skipped.push({
            id: planned.id,
            label: tier?.label ?? planned.label,
            executorImage: tier?.ami ?? '',
            reason: 'changed-since',
            detail: tier ? `${changed}: changed since, left alone` : 'no longer exists',
          });
        }
      }
      if (updates.length === 0) {
        const noun = targetNounOf(deps.config.deployments, source.deployment).short;
        const why = skipped.map((t) => `${t.label}: ${t.detail}`).join('; ');
        throw new AppError(
          'nothing_to_revert',
          `Nothing to revert for ${source._id}: no ${noun} it changed is still as it left it (${why}).`.slice(0, 3_000),
        );
      }
      // Terraform drift, read now: the reverted change's acceptance covers its node groups on the same templates.
      const notices = await port.notices(updates.map(targetUpdateOf));
      const unaccepted = unacceptedDrift(notices, source);
      if (unaccepted.length > 0 && !input.acceptDrift) {
        throw new AppError('terraform_drift', revertDriftRefusal(unaccepted, source._id));
      }
      const acceptance =
        notices.length === 0
          ? {}
          : input.acceptDrift
            ? { notices, noticesAcceptedBy: input.userId }
            : { notices, noticesAcceptedBy: source.noticesAcceptedBy, noticesCarriedFrom: source._id };
      const draft: Omit<ChangeRecord, '_id'> = {
        kind: 'revert',
        deployment: source.deployment,
        requester: input.userId,
        createdAt: now,
        deadline: new Date(now.getTime() + deps.config.approvalTtlHours * 3_600_000),
        revertOf: source._id,
        ...acceptance,
        snapshot: targets.map(snapshotOf),
        ...(updates.length > 0 ? await audienceOf(port, updates) : {}),
        updates,
        skipped,
        unchanged: [],
        channel: source.channel,
        ...(source.threadTs ? { threadTs: source.threadTs } : {}),
        status: 'pending',
      };
      return postChange(deps, await storeNewChange(deps.store.changes, draft));
    });
    await audit(deps, {
      actor: input.userId,
      action: 'change.planned',
      deployment: change.deployment,
      changeId: change._id,
      summary: `revert of ${source._id}: ${change.updates.length} to restore, ${change.skipped.length} changed since${driftNote(change)}`,
      before: Object.fromEntries(change.updates.map((t) => [t.id, t.from])),
      after: Object.fromEntries(change.updates.map((t) => [t.id, t.to])),
    });
    announceInBackground(deps, change._id);
    const leftAlone = change.skipped.length
      ? words(`, ${change.skipped.length} changed since and left alone`)
      : words('');
    const noun = targetNounOf(deps.config.deployments, source.deployment);
    return deps.presenter.content(
      text`Planned ${change._id}, the revert of ${source._id}: ${plural(change.updates.length, noun.short, noun.shortMany)} back to their recorded AMIs${leftAlone}. Approve it in the thread. ${await approverNote(deps.config, deps.chat, input.userId)}`,
    );
  };
}
