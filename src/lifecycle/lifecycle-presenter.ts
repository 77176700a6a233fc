import type { ChatContent } from '../ports/chat.js';
import type { InventoryView } from './inventory-text.js';

/** How the lifecycle's messages look, implemented by `slack/lifecycle-presenter.ts` with the pure builders. */
export interface LifecyclePresenter {
  /** `/ami images`. */
  inventory(view: InventoryView): ChatContent;
}
