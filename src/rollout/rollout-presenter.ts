import type { ChatContent } from '../ports/chat.js';
import type { Text } from '../shared/text.js';
import type { AmiTestRecord } from './ami-test-record.js';
import type { AuditEntry } from './audit-record.js';
import type { ChangeRecord, DrainInstance } from './change-record.js';

/**
 * How the rollout's messages look, implemented by `slack/rollout-presenter.ts` with the pure Block Kit builders
 * (time zone, sandbox and the two-person rule come from the configuration it was made with). The rollout says
 * what happened — a record, a Text — never how a chat marks it up.
 */
export interface RolloutPresenter {
  /** The change's approval message; `overflow` when its lists were cut and the full lists must follow. */
  change(change: ChangeRecord, now: Date): ChatContent & { overflow: boolean };
  /** The full lists a cut approval message refers to, as thread replies. */
  changeFullLists(change: ChangeRecord): ChatContent[];
  /** The change's result in its thread once it was applied, expired or failed. */
  applyResult(change: ChangeRecord): ChatContent;
  /** A drain found no stopped executor: what is still running on old AMIs, for the thread. */
  drainNothingToTerminate(source: ChangeRecord, running: readonly DrainInstance[]): ChatContent;
  /** The announcement in the users' channel. */
  announcement(change: ChangeRecord): ChatContent;
  /** The DM to a user of the changed tiers. */
  userNotice(change: ChangeRecord, tierLabels: string[]): ChatContent;
  /** The reminder before a maintenance window. */
  reminder(change: ChangeRecord): ChatContent;
  /** In the announcement's thread: the change will not happen. */
  cancelledNotice(change: ChangeRecord): ChatContent;
  /** The DM to each user told about a change that will not happen after all. */
  cancelledUser(change: ChangeRecord): ChatContent;
  /** `/ami history`. */
  history(entries: AuditEntry[]): ChatContent;
  /** The AMI test's message: live while it runs, the verdict when it ends. */
  test(test: AmiTestRecord, previous?: AmiTestRecord): ChatContent;
  /** A line of a thread, or an answer. */
  content(text: Text): ChatContent;
}
