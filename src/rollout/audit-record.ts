import { randomBytes } from 'node:crypto';

/** One line of the audit trail: who did what, when, and what it looked like before and after. */
export type AuditAction =
  | 'change.planned'
  | 'change.approved'
  | 'change.rejected'
  | 'change.expired'
  | 'change.applied'
  | 'change.apply-failed'
  | 'change.announced'
  | 'drain.listed'
  | 'drain.terminated'
  | 'test.tier-switched'
  | 'test.tier-restored'
  | 'test.finished';

export interface AuditEntry {
  _id: string;
  at: Date;
  /** Slack user id, or `ami-bot` for what the bot does on its own (expiry, scheduled apply). */
  actor: string;
  action: AuditAction;
  deployment: string;
  changeId?: string;
  testId?: string;
  /** Plain text: escaped where it is shown, except mentions of the ids in `mentions`. */
  summary: string;
  /** Slack channel/user ids we put in `summary` as `<#id>` / `<@id>` (e.g. the announcement channel). */
  mentions?: string[];
  /** Tier id / instance id → value before and after (AMI ids, instance states). */
  before?: Record<string, string>;
  after?: Record<string, string>;
}

/** Sortable by time, unique without coordination. */
export function newAuditId(at: Date): string {
  return `${at.toISOString()}-${randomBytes(4).toString('hex')}`;
}
