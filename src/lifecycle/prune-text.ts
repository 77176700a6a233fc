import { plural } from '../shared/format.js';
import { code, icon, type Text, text, user, words } from '../shared/text.js';
import type { PruneReport } from './apply-prune.js';
import { keepReasonText, retireReasonText } from './inventory-text.js';
import { reclaimedGiB } from './prune-plan.js';
import { type PruneOutcome, type PruneRecord, pruneStatus } from './prune-record.js';

/** A prune as the approval message says it (Text: the bot's words, outside values as spans). */
export interface PruneView {
  pruneId: string;
  heading: Text;
  retire: Text[];
  kept: Text[];
  /** Who decided, or that it awaits a decision. */
  status: Text;
  /** True while Approve / Reject may still decide it. */
  open: boolean;
}

export function pruneView(record: PruneRecord): PruneView {
  const { plan } = record;
  const status = pruneStatus(record);
  const heading = text`Prune ${code(record._id)} of ${record.deployment}: retire ${plural(plan.retire.length, 'AMI')} with ${plan.retire.length === 1 ? 'its' : 'their'} snapshots and ${plural(plan.orphanSnapshots.length, 'orphaned snapshot')}, ${String(reclaimedGiB(plan))} GiB; keep ${plural(plan.kept.length, 'AMI')} (the last ${String(plan.policy.keepLast)}, anything younger than ${String(plan.policy.keepDays)} days, and everything in use). Planned by ${user(record.requester)}; everything is checked again when it is applied.`;
  const retire = [
    ...plan.retire.map(
      (r) => text`${code(r.imageId)} ${r.name}: ${retireReasonText(r.reason)}, ${String(r.sizeGiB)} GiB`,
    ),
    ...plan.orphanSnapshots.map((s) => text`snapshot ${code(s.id)}: its image is gone, ${String(s.sizeGiB)} GiB`),
    ...plan.deprecate.map((d) => text`${code(d.imageId)}: deprecate (EC2 stops listing it to launch)`),
  ];
  const kept = plan.kept.map((k) => text`${code(k.imageId)} ${k.name}: ${keepReasonText(k.reason)}`);
  const decided = record.decision
    ? record.decision.outcome === 'expired'
      ? text`${icon('expired')} Expired: nobody decided in time.`
      : text`${icon(record.decision.outcome === 'approved' ? 'ok' : 'failed')} ${record.decision.outcome === 'approved' ? 'Approved' : 'Rejected'} by ${user(record.decision.by)}.`
    : text`${icon('waiting')} Awaiting an approver (not ${user(record.requester)}).`;
  return { pruneId: record._id, heading, retire, kept, status: decided, open: status === 'pending' };
}

function outcomeText(outcome: PruneOutcome | undefined): Text {
  if (!outcome) return words('not done yet');
  switch (outcome.kind) {
    case 'retired':
      return text`${icon('ok')} retired (${outcome.image}); snapshots ${outcome.snapshots.map((s) => `${s.id} ${s.outcome}`).join(', ') || 'none left'}`;
    case 'kept':
      return text`${icon('warning')} kept: ${outcome.why}`;
    case 'snapshot':
      return text`${icon('ok')} snapshot ${outcome.outcome}`;
    case 'deprecated':
      return text`${icon('ok')} deprecated from ${outcome.deprecateAt.toISOString()}`;
    case 'waiting':
      return text`${icon('waiting')} waiting: ${outcome.why}${outcome.until ? ` until ${outcome.until.toISOString()}` : ''}; the next apply retires it`;
    case 'failed':
      return text`${icon('failed')} failed: ${outcome.error}`;
  }
}

export interface PruneReportView {
  heading: Text;
  lines: Text[];
}

/** The apply's report, one line per planned item. */
export function pruneReportView(report: PruneReport): PruneReportView {
  const heading = report.done
    ? text`Prune ${code(report.record._id)} applied: ${plural(report.record.result?.retired ?? 0, 'AMI')} retired, ${plural(report.record.result?.snapshotsDeleted ?? 0, 'snapshot')} deleted, ${plural(report.record.result?.kept ?? 0, 'item')} kept after the re-check.`
    : text`Prune ${code(report.record._id)} partly applied: what is waiting or failed is retried by the next apply.`;
  const lines = report.items.map((item) => text`${code(item.key)}: ${outcomeText(item.outcome)}`);
  return { heading, lines };
}
