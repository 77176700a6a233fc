import { AppError } from '../errors.js';
import type { ImageInfo } from '../ports/ec2.js';
import type { ButtonOrigin } from '../shared/button-origin.js';
import { plural } from '../shared/format.js';
import type { Reply } from '../shared/reply.js';
import { targetNoun } from '../shared/target-noun.js';
import { icon, joinText, link, text, words } from '../shared/text.js';
import { announceInBackground } from './announce-change.js';
import { approverNote } from './approver-capacity.js';
import { audienceOf } from './change-audience.js';
import { withChangeLock } from './change-lock.js';
import { postChange } from './change-messages.js';
import { type ChangeRecord, snapshotOf, targetUpdateOf } from './change-record.js';
import { classifyTargets, isAmiId } from './classify-tiers.js';
import { parseWindow } from './maintenance-window.js';
import { type AmiTarget, resolveAmiTarget } from './resolve-target.js';
import { audit, type RolloutDeps } from './rollout-deps.js';
import { type ChangeGate, olderRefusal, overrideReasonRefusal, type StandardAmi, testRefusal } from './rollout-gate.js';
import type { TestSetting } from './rollout-target.js';
import { storeNewChange } from './store-change.js';
import { targetsFor } from './targets/targets-for.js';
import { driftRefusal } from './terraform-drift-text.js';

export interface PlanRolloutInput {
  userId: string;
  channelId: string;
  /** A bake id or an AMI id. */
  target: string;
  /** Maintenance window start, "YYYY-MM-DD HH:MM" in the configured time zone. */
  at?: string;
  /** Window length (`2h`, `90m`); default `rollout.windowMinutes`. */
  for?: string;
  /** Window end, "YYYY-MM-DD HH:MM" in the configured time zone. */
  until?: string;
  /** `--override-test "reason"`: an admin plans without a passed test; the reason is shown everywhere. */
  overrideTest?: string;
  /** The button's message (Plan rollout): the bake's own thread (isFromOwnMessage). */
  origin?: ButtonOrigin;
  /** `--accept-terraform-drift`: the admin plans knowing the change drifts from Terraform's state. */
  acceptDrift?: boolean;
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

/** The gate's test half: the AMI's newest conclusive test is a proven pass, or an admin overrode it with a reason. */
async function requireTested(deps: RolloutDeps, target: AmiTarget, input: PlanRolloutInput): Promise<ChangeGate> {
  if (input.overrideTest !== undefined) {
    const refusal = overrideReasonRefusal(input.overrideTest);
    if (refusal) throw new AppError('invalid_override', refusal);
    return { override: { by: input.userId, reason: input.overrideTest.trim() } };
  }
  const test = await deps.store.amiTests.latestFinished(target.deployment.name, target.amiId);
  const name = target.bake?._id ?? target.amiId;
  const refusal = testRefusal(test, target.amiId, {
    testCommand: `/ami test ${name}`,
    overrideHint: `an admin may \`/ami plan ${name} --override-test "why"\``,
    ...noTestTarget(targetsFor(deps, target.deployment.name).testSetting(), target.deployment.name),
    machine: targetNoun(target.deployment.kind).machine,
  });
  if (refusal || !test?.executor) throw new AppError('ami_not_tested', refusal ?? 'No passed test.');
  return {
    test: {
      id: test._id,
      ...(test.seconds.Pulling === undefined ? {} : { pullingSeconds: test.seconds.Pulling }),
      ...(test.toRunningSeconds === undefined ? {} : { toRunningSeconds: test.toRunningSeconds }),
      executorId: test.executor.instanceId,
    },
  };
}

function noTestTarget(setting: TestSetting, deployment: string) {
  return setting.configured ? {} : { noTestTarget: { deployment, noun: setting.noun, setting: setting.setting } };
}

/** Standard tiers (those the plan moves) grouped by the AMI they run now, for the "never older" check. */
function standardAmis(updates: ChangeRecord['updates'], images: ReadonlyMap<string, ImageInfo>): StandardAmi[] {
  const byAmi = new Map<string, StandardAmi>();
  for (const tier of updates) {
    const image = images.get(tier.from);
    if (!image) continue;
    const entry = byAmi.get(image.id) ?? { image, tiers: [] };
    entry.tiers.push(tier.label);
    byAmi.set(image.id, entry);
  }
  return [...byAmi.values()];
}

/**
 * `/ami plan <bake-id|ami-id> [--at …] [--override-test "reason"]` and the "Plan rollout" button: the gate
 * (rollout-gate.ts: owned, from a succeeded bake of the deployment, tested, not older), then snapshot every tier, classify it,
 * store the change and post it for approval in the bake's thread, then tell the affected users.
 */
export function createPlanRollout(deps: RolloutDeps) {
  return async function planRollout(input: PlanRolloutInput): Promise<Reply> {
    const now = deps.clock.now();
    const { applyAt, applyUntil } = parseWindow(
      input,
      deps.config.timeZone,
      now,
      deps.config.rollout.windowMinutes,
      deps.config.sandbox,
    );
    // The gate refuses before anything is stored, posted, announced or written.
    const target = await resolveAmiTarget(deps, input);
    const gate = await requireTested(deps, target, input);
    // Serialised per deployment: a duplicate delivery waits, then finds this change open (withChangeLock).
    const outcome = await withChangeLock(deps, target.deployment.name, async (): Promise<PlanOutcome> => {
      await refuseIfOpen(deps, target.deployment.name);
      const port = targetsFor(deps, target.deployment.name);
      const targets = await port.list();
      if (targets.length === 0) throw new AppError('no_tiers', `${port.emptyReason()}: nothing to plan.`);
      const ids = [...new Set(targets.map((t) => t.ami))].filter((id) => id !== target.amiId && isAmiId(id));
      const images = new Map<string, ImageInfo>((await deps.ec2.describeImages(ids)).map((image) => [image.id, image]));
      const plan = classifyTargets({
        deployment: target.deployment.name,
        pinned: target.deployment.pinnedTiers,
        target: target.amiId,
        targets,
        images,
      });
      const older = olderRefusal(target.image, standardAmis(plan.updates, images));
      if (older) throw new AppError('ami_older', older);
      if (plan.updates.length === 0) {
        const skipped = joinText(
          plan.skipped.map((t) => text`\n• ${t.label}: ${t.detail}`),
          '',
        );
        // A long list is cut by the presenter at Slack's limit for a message.
        return {
          nothing: deps.presenter.content(
            text`Nothing to plan: no standard ${targetNoun(target.deployment.kind).short} is off ${target.amiId} (${plan.unchanged.length} already on it, ${plan.skipped.length} skipped).${skipped}`,
          ),
        };
      }
      // What the kind says about these moves (Terraform drift) must be accepted before a change exists to approve.
      const notices = await port.notices(plan.updates.map(targetUpdateOf));
      if (notices.length > 0 && !input.acceptDrift) {
        throw new AppError('terraform_drift', driftRefusal(notices, `/ami plan ${target.bake?._id ?? target.amiId}`));
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
        ...(applyUntil ? { applyUntil } : {}),
        ...(target.bake ? { bakeId: target.bake._id } : {}),
        targetAmi: target.amiId,
        targetAmiName: target.amiName,
        gate,
        ...(notices.length > 0 ? { notices, noticesAcceptedBy: input.userId } : {}),
        ...(await audienceOf(port, plan.updates)),
        snapshot: targets.map(snapshotOf),
        ...plan,
        channel: target.channel,
        ...(target.threadTs ? { threadTs: target.threadTs } : {}),
        status: 'pending',
      };
      return { change: await postChange(deps, await storeNewChange(deps.store.changes, draft)) };
    });
    if ('nothing' in outcome) return outcome.nothing;
    const { change } = outcome;
    await audit(deps, {
      actor: input.userId,
      action: 'change.planned',
      deployment: change.deployment,
      changeId: change._id,
      summary: `rollout of ${change.targetAmi}: ${change.updates.length} to change, ${change.skipped.length} skipped, ${change.unchanged.length} already on it; ${gate.override ? `test requirement overridden: ${gate.override.reason}` : `tested by ${gate.test?.id}`}${change.notices ? `; drift from Terraform accepted for ${change.notices.length} node group(s)` : ''}`,
      before: Object.fromEntries(change.updates.map((t) => [t.id, t.from])),
      after: Object.fromEntries(change.updates.map((t) => [t.id, t.to])),
    });
    announceInBackground(deps, change._id);
    const url = change.message ? await deps.chat.permalink(change.message.channel, change.message.ts) : undefined;
    const tested = gate.override
      ? text` ${icon('warning')} Not tested: test requirement overridden (“${gate.override.reason}”).`
      : text` Tested by ${gate.test?.id ?? ''} (Pulling ${gate.test?.pullingSeconds ?? '<1 poll'} s).`;
    const where = 'Approve or reject it in the thread';
    const noun = targetNoun(target.deployment.kind);
    return deps.presenter.content(
      text`Planned ${change._id}: ${plural(change.updates.length, noun.short, noun.shortMany)} to change, ${change.skipped.length} skipped, ${change.unchanged.length} already on ${change.targetAmi ?? ''}.${tested} ${url ? link(url, where) : words(where)}. ${await approverNote(deps.config, deps.chat, input.userId)}`,
    );
  };
}
