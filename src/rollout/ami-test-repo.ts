import type { AmiTestRecord } from './ami-test-record.js';

export interface AmiTestRepo {
  insert(test: AmiTestRecord): Promise<void>;
  get(id: string): Promise<AmiTestRecord | undefined>;
  /** `$set` of top-level fields; only the process running the test writes them. */
  save(id: string, patch: Partial<Omit<AmiTestRecord, '_id'>>): Promise<void>;
  /** Marks a running test for cancellation (first request wins); returns the record after the change. */
  requestCancel(id: string, by: string, at: Date): Promise<AmiTestRecord | undefined>;
  /** The newest test that measured something (passed, failed or unproven), optionally of one AMI. */
  latestFinished(deployment: string, amiId?: string): Promise<AmiTestRecord | undefined>;
  listRecent(limit: number, deployment?: string): Promise<AmiTestRecord[]>;
}
