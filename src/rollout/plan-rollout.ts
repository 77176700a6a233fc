import { AppError } from '../errors.js';
import type { ImageInfo } from '../ports.js';
import type { ButtonOrigin } from '../shared/button-origin.js';
import { plural } from '../shared/format.js';
import type { Reply } from '../shared/reply.js';
import { announceInBackground } from './announce-change.js';
import { withChangeLock } from './change-lock.js';
import { publishChange } from './change-messages.js';
import type { ChangeRecord } from './change-record.js';
import { classifyTiers, isAmiId } from './classify-tiers.js';
import { checkWindow, parseWindowStart } from './maintenance-window.js';
import { resolveAmiTarget } from './resolve-target.js';
import { audit, type RolloutDeps } from './rollout-deps.js';

export interface PlanRolloutInput {
  userId: string;
  channelId: string;
  /** A bake id or an AMI id. */
  target: string;
  /** Maintenance window start, "YYYY-MM-DD HH:MM" in the configured time zone. */
  at?: string;
  /** The button's message (Plan rollout): the bake's own thread (isFromOwnMessage). */
  origin?: ButtonOrigin;
}

type PlanOutcome = { change: ChangeRecord } | { nothing: Reply };

/** Refuses a second open rollout/revert of a deployment: two approved plans would fight over the same tiers. */
export async function refuseIfOpen(deps: Pick<RolloutDeps, 'store'>, deployment: string): Promise<void> {
  const open = (await deps.store.changes.listOpen()).find(
    (change) => change.deployment === deployment && change.kind !== 'drain',
  );
  if (open) {
    throw new AppError(
      'change_open',
      `${open._id} (${open.kind}) on ${deployment} is still ${open.status}: reject it or let it finish before planning another.`,
    );
  }
}

/**
 * `/ami plan <bake-id|ami-id> [--at …]` and the "Plan rollout" button: snapshot every tier, classify it,
 * store the change and post it for approval in the bake's thread, then tell the affected users.
 */
export function createPlanRollout(deps: RolloutDeps) {
  return async function planRollout(input: PlanRolloutInput): Promise<Reply> {
    const now = deps.clock.now();
    const applyAt = input.at === undefined ? undefined : parseWindowStart(input.at, deps.config.timeZone);
    if (applyAt) checkWindow(applyAt, now);
    const target = await resolveAmiTarget(deps, input);
    // Serialised per deployment: a duplicate delivery waits, then finds this change open (withChangeLock).
    const outcome = await withChangeLock(deps, target.deployment.name, async (): Promise<PlanOutcome> => {
      await refuseIfOpen(deps, target.deployment.name);
      const tiers = await deps.tiers.listTiers();
      if (tiers.length === 0) {
        throw new AppError(
          'no_tiers',
          `Domino's tier collection (${deps.config.mongo.tierCollection}) has no documents: nothing to plan.`,
        );
      }
      const ids = [...new Set(tiers.map((t) => t.executorImage))].filter((id) => id !== target.amiId && isAmiId(id));
      const images = new Map<string, ImageInfo>((await deps.ec2.describeImages(ids)).map((image) => [image.id, image]));
      const plan = classifyTiers({
        deployment: target.deployment.name,
        pinned: target.deployment.pinnedTiers,
        target: target.amiId,
        tiers,
        images,
      });
      if (plan.updates.length === 0) {
        const skipped = plan.skipped.map((t) => `• ${t.label}: ${t.detail}`).join('\n');
        return {
          nothing: {
            text: `Nothing to plan: no standard tier is off ${target.amiId} (${plan.unchanged.length} already on it, ${plan.skipped.length} skipped).${skipped ? `\n${skipped}` : ''}`.slice(
              0,
              3_900,
            ),
          },
        };
      }
      const ttlMs = deps.config.approvalTtlHours * 3_600_000;
      const deadline = new Date(Math.min(now.getTime() + ttlMs, applyAt?.getTime() ?? Number.POSITIVE_INFINITY));
      const draft: Omit<ChangeRecord, '_id'> = {
        kind: 'rollout',
        deployment: target.deployment.name,
        requester: input.userId,
        createdAt: now,
        deadline,
        ...(applyAt ? { applyAt } : {}),
        ...(target.bake ? { bakeId: target.bake._id } : {}),
        targetAmi: target.amiId,
        targetAmiName: target.amiName,
        snapshot: tiers.map(({ id, idType, label, executorImage }) => ({ id, idType, label, executorImage })),
        ...plan,
        channel: target.channel,
        ...(target.threadTs ? { threadTs: target.threadTs } : {}),
        status: 'pending',
      };
      return { change: await publishChange(deps, draft) };
    });
    if ('nothing' in outcome) return outcome.nothing;
    const { change } = outcome;
    await audit(deps, {
      actor: input.userId,
      action: 'change.planned',
      deployment: change.deployment,
      changeId: change._id,
      summary: `rollout of ${change.targetAmi}: ${change.updates.length} to change, ${change.skipped.length} skipped, ${change.unchanged.length} already on it`,
      before: Object.fromEntries(change.updates.map((t) => [t.id, t.from])),
      after: Object.fromEntries(change.updates.map((t) => [t.id, t.to])),
    });
    announceInBackground(deps, change._id);
    const link = change.message ? await deps.chat.permalink(change.message.channel, change.message.ts) : undefined;
    return {
      text: `Planned ${change._id}: ${plural(change.updates.length, 'tier')} to change, ${change.skipped.length} skipped, ${change.unchanged.length} already on ${change.targetAmi}. ${link ? `<${link}|Approve or reject it in the thread>` : 'Approve or reject it in the thread'}.`,
    };
  };
}
