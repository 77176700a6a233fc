import type { Config } from '../config.js';
import type { ChangeRecord } from '../rollout/change-record.js';
import type { RolloutPresenter } from '../rollout/rollout-presenter.js';
import { plural } from '../shared/format.js';
import { targetNounOf } from '../shared/target-noun.js';
import {
  announcementMessage,
  cancelledNoticeMessage,
  cancelledUserMessage,
  reminderMessage,
  userNoticeMessage,
} from './blocks/announce-message.js';
import { applyResultMessage } from './blocks/apply-result-message.js';
import { fitLines, SECTION_MAX } from './blocks/block-text.js';
import { fullListMessages } from './blocks/change-full-list.js';
import { instanceLines } from './blocks/change-lines.js';
import { changeMessage } from './blocks/change-message.js';
import { historyMessage } from './blocks/history-message.js';
import { renderMrkdwnCut } from './blocks/render-text.js';
import { testMessage } from './blocks/test-message.js';

/** The rollout's messages in Block Kit, from the pure builders in `blocks/`. */
export function createRolloutPresenter(
  config: Pick<Config, 'timeZone' | 'sandbox' | 'twoPersonRule' | 'deployments'>,
): RolloutPresenter {
  const tz = config.timeZone;
  const options = { timeZone: tz, sandbox: config.sandbox, twoPersonRule: config.twoPersonRule };
  // Each message names the change's targets as its deployment's kind calls them (tiers, node groups).
  const nounOf = (change: ChangeRecord) => targetNounOf(config.deployments, change.deployment);
  return {
    change: (change, now) => changeMessage(change, now, { ...options, noun: nounOf(change) }),
    changeFullLists: fullListMessages,
    applyResult: (change) => applyResultMessage(change, nounOf(change)),
    drainNothingToTerminate(source, running) {
      if (nounOf(source).kind === 'eks-node-groups') {
        return {
          text: `:mag: Drain after ${source._id}: nothing to terminate. EKS drained and replaced the nodes of each node group it updated (cordon, evict the pods, terminate): there is nothing for ami-bot to terminate.`,
        };
      }
      const still = running.length
        ? `${plural(running.length, 'running executor')} still on old AMIs: put them in Maintenance Mode in Domino's admin UI and terminate them when their runs end.\n${fitLines(instanceLines(running), SECTION_MAX - 200)}`
        : 'No executor of the changed tiers is left on an old AMI.';
      return { text: `:mag: Drain after ${source._id}: no stopped executor to terminate. ${still}` };
    },
    announcement: (change) => announcementMessage(change, tz, nounOf(change)),
    userNotice: (change, tierLabels) => userNoticeMessage(change, tierLabels, tz, nounOf(change)),
    reminder: (change) => reminderMessage(change, tz, nounOf(change)),
    cancelledNotice: (change) => cancelledNoticeMessage(change, nounOf(change)),
    cancelledUser: (change) => cancelledUserMessage(change, nounOf(change)),
    history: (entries) => historyMessage(entries, tz),
    test: testMessage,
    content: (text) => ({ text: renderMrkdwnCut(text) }),
  };
}
