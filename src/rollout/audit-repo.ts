import type { AuditEntry } from './audit-record.js';

export interface AuditRepo {
  record(entry: AuditEntry): Promise<void>;
  listRecent(limit: number, deployment?: string): Promise<AuditEntry[]>;
}
