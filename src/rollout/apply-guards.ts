import type { Config } from '../config.js';
import type { Ec2Port } from '../ports/ec2.js';
import { formatWhen } from '../shared/format.js';
import type { ChangeRecord } from './change-record.js';
import { isAmiId } from './classify-tiers.js';
import type { TargetNotice, TerraformDriftNotice } from './rollout-target.js';

/**
 * The last instant an approved change may start applying: the maintenance window's end, or — without a window —
 * the approval plus `rollout.maxApprovalAgeMinutes`. Undefined while nothing is approved (pure).
 */
export function applyDeadline(
  change: Pick<ChangeRecord, 'applyAt' | 'applyUntil' | 'decision'>,
  rollout: Config['rollout'],
): Date | undefined {
  if (change.applyAt) {
    return change.applyUntil ?? new Date(change.applyAt.getTime() + rollout.windowMinutes * 60_000);
  }
  if (change.decision?.outcome !== 'approved') return undefined;
  return new Date(change.decision.at.getTime() + rollout.maxApprovalAgeMinutes * 60_000);
}

/** Why an apply claimed at `now` is too late, or undefined when it may go ahead (pure). */
export function expiryReason(change: ChangeRecord, now: Date, config: Config): string | undefined {
  const deadline = applyDeadline(change, config.rollout);
  if (!deadline || now.getTime() < deadline.getTime()) return undefined;
  const when = formatWhen(deadline, config.timeZone);
  return change.applyAt
    ? `the maintenance window ended at ${when} before the apply could start (ami-bot was not running or could not reach its database)`
    : `the approval is older than ${config.rollout.maxApprovalAgeMinutes} min (rollout.maxApprovalAgeMinutes): the apply had not started by ${when}`;
}

/** An AMI a write would set that cannot be used, with the sentence that says why. */
export interface UnavailableAmi {
  amiId: string;
  detail: string;
}

/**
 * The AMIs a write would set, each described again right before the write: one that no longer exists or is not
 * `available` (deregistered, failed, or never an AMI id) is returned with the reason.
 */
export async function unavailableAmis(
  ec2: Pick<Ec2Port, 'describeImages'>,
  amiIds: string[],
): Promise<UnavailableAmi[]> {
  const ids = [...new Set(amiIds)];
  const amis = ids.filter(isAmiId);
  const found = new Map((await ec2.describeImages(amis)).map((image) => [image.id, image]));
  return ids.flatMap((amiId): UnavailableAmi[] => {
    if (!isAmiId(amiId)) return [{ amiId, detail: `\`${amiId.slice(0, 60)}\` is not an AMI id` }];
    const image = found.get(amiId);
    if (!image) return [{ amiId, detail: `${amiId} no longer exists in this account/region` }];
    if (image.state !== 'available') return [{ amiId, detail: `${amiId} is ${image.state}, not available` }];
    return [];
  });
}

/**
 * The drift notices found now that a change's accepted ones do not cover (pure): accepting drift covers one node
 * group on one launch template, so a template Terraform manages since, or another template the node group moved
 * to, needs the admin's acceptance again. Nothing is covered by notices nobody accepted.
 */
export function unacceptedDrift(
  found: readonly TargetNotice[],
  accepted: Pick<ChangeRecord, 'notices' | 'noticesAcceptedBy'>,
): TerraformDriftNotice[] {
  const covered = new Set(
    accepted.noticesAcceptedBy === undefined
      ? []
      : (accepted.notices ?? []).map((notice) => `${notice.key}\n${notice.templateId}`),
  );
  return found.filter(
    (notice) => notice.kind === 'terraform-drift' && !covered.has(`${notice.key}\n${notice.templateId}`),
  );
}
