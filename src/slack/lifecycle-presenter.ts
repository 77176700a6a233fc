import type { LifecyclePresenter } from '../lifecycle/lifecycle-presenter.js';
import { imagesMessage } from './blocks/images-message.js';
import { pruneMessage, pruneReportMessage } from './blocks/prune-message.js';

/** The lifecycle's messages in Slack, built by the pure Block Kit builders. */
export function createLifecyclePresenter(): LifecyclePresenter {
  return {
    inventory: (view) => imagesMessage(view),
    prune: (view) => pruneMessage(view),
    pruneReport: (view) => pruneReportMessage(view),
  };
}
