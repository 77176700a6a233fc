import type { ChatContent } from '../ports/chat.js';
import type { InventoryView } from './inventory-text.js';
import type { PruneReportView, PruneView } from './prune-text.js';

/** How the lifecycle's messages look, implemented by `slack/lifecycle-presenter.ts` with the pure builders. */
export interface LifecyclePresenter {
  /** `/ami images`. */
  inventory(view: InventoryView): ChatContent;
  /** The prune's approval message: the plan, and Approve / Reject while it is open. */
  prune(view: PruneView): ChatContent;
  /** The apply's per-item report, in the approval message's thread. */
  pruneReport(view: PruneReportView): ChatContent;
}
