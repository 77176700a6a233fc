import type { Block } from '../../ports/chat.js';
import type { ChangeRecord } from '../../rollout/change-record.js';
import { plural, truncate } from '../../shared/format.js';
import {
  CONTEXT_MAX,
  contextBlock,
  escapeMrkdwn,
  fitLines,
  mrkdwnSection,
  SECTION_MAX,
  slackDate,
} from './block-text.js';

const why = (change: ChangeRecord) =>
  change.kind === 'revert'
    ? `It restores the executor image these tiers had before ${change.revertOf}.`
    : change.gate?.override
      ? `A new executor image (${escapeMrkdwn(change.targetAmi ?? '')}) built with the common environment images cached; its effect on *Pulling* was not measured.`
      : `A new executor image (${escapeMrkdwn(change.targetAmi ?? '')}) with the common environment images already cached: new runs should spend less time in *Pulling*.`;

const when = (change: ChangeRecord, timeZone: string) =>
  change.applyAt
    ? `in the maintenance window starting ${slackDate(change.applyAt, timeZone)}`
    : 'as soon as it is approved';

/** Said openly when an admin planned the change without a passed test (the gate's override). */
const overrideNote = (change: ChangeRecord) =>
  change.gate?.override
    ? [
        mrkdwnSection(
          truncate(
            `:warning: This image was not tested the usual way (a timed Domino job on a fresh executor); an admin overrode the test with this reason: “${escapeMrkdwn(change.gate.override.reason)}”`,
            SECTION_MAX,
          ),
        ),
      ]
    : [];

/**
 * The post for a change of node pools (EKS): per pool, the hardware tiers that run there and the node groups whose
 * nodes are replaced (pure; names are outside text).
 */
function nodePoolAnnouncement(
  change: ChangeRecord,
  audience: NonNullable<ChangeRecord['audience']>,
  timeZone: string,
): { text: string; blocks: Block[] } {
  const lines = audience.map((pool) => {
    const tiers =
      pool.tiers.length > 0 ? pool.tiers.map((t) => `*${escapeMrkdwn(t.label)}*`).join(', ') : 'no hardware tier';
    return `• pool \`${escapeMrkdwn(pool.pool)}\`: ${tiers} (node groups ${pool.targets.map(escapeMrkdwn).join(', ')})`;
  });
  const tierCount = audience.reduce((sum, pool) => sum + pool.tiers.length, 0);
  const text = `Upcoming change of node pools on ${change.deployment}: ${plural(audience.length, 'pool')}, ${plural(tierCount, 'hardware tier')}, ${when(change, timeZone)}.`;
  return {
    text,
    blocks: [
      mrkdwnSection(`:mega: *Node image change on ${change.deployment}* ${when(change, timeZone)}`),
      mrkdwnSection(`*Hardware tiers by node pool (${tierCount})*\n${fitLines(lines, SECTION_MAX - 60)}`),
      mrkdwnSection(why(change)),
      ...overrideNote(change),
      contextBlock(
        `The pools' nodes are replaced one by one with nodes from ${change.kind === 'revert' ? 'the restored image' : 'the new image'}: a run still going on a replaced node is evicted, unless ami-bot waits for the pool to be idle (the ops channel says which). Questions: ask in the ops channel.`,
      ),
    ],
  };
}

/** The post in the announcement channel: which tiers, when, why (pure). */
export function announcementMessage(change: ChangeRecord, timeZone: string): { text: string; blocks: Block[] } {
  if (change.audience) return nodePoolAnnouncement(change, change.audience, timeZone);
  const labels = change.updates.map((t) => escapeMrkdwn(t.label));
  const list = truncate(labels.join(', '), SECTION_MAX - 200, `… and more (${labels.length} in all)`);
  const text = `Upcoming change of hardware tiers on ${change.deployment}: ${plural(labels.length, 'tier')}, ${when(change, timeZone)}.`;
  return {
    text,
    blocks: [
      mrkdwnSection(`:mega: *Executor image change on ${change.deployment}* ${when(change, timeZone)}`),
      mrkdwnSection(`*Hardware tiers (${labels.length})*: ${list}`),
      mrkdwnSection(why(change)),
      ...overrideNote(change),
      contextBlock(
        `Runs already going keep their machine; runs started after the change boot executors from ${change.kind === 'revert' ? 'the restored image' : 'the new image'}. Questions: ask in the ops channel.`,
      ),
    ],
  };
}

/** The DM to one user of affected tiers (pure). */
export function userNoticeMessage(
  change: ChangeRecord,
  tierLabels: string[],
  timeZone: string,
): { text: string; blocks: Block[] } {
  const tiers = truncate(tierLabels.map((l) => `*${escapeMrkdwn(l)}*`).join(', '), 1_500, '…');
  const text = `Heads-up: the hardware tier(s) you used recently on ${change.deployment} change executor image ${change.applyAt ? 'in a maintenance window' : 'soon'}.`;
  return {
    text,
    blocks: [
      mrkdwnSection(
        `:wave: You ran on ${tiers} recently. Their executor image changes ${when(change, timeZone)} (${change._id}).`,
      ),
      mrkdwnSection(why(change)),
      contextBlock(
        change.audience
          ? 'Nothing to do on your side. The nodes of these tiers are replaced: a run still going on a replaced node is evicted, unless ami-bot waits for the pool to be idle. You get this message once per change.'
          : 'Nothing to do on your side. Runs already going are not interrupted. You get this message once per change.',
      ),
    ],
  };
}

/** The reminder an hour before the maintenance window (pure). */
export function reminderMessage(change: ChangeRecord, timeZone: string): { text: string; blocks: Block[] } {
  const labels = truncate(change.updates.map((t) => escapeMrkdwn(t.label)).join(', '), CONTEXT_MAX, '…');
  const text = `Reminder: ${change.deployment} hardware tiers change executor image at the window starting ${change.applyAt?.toISOString()}.`;
  return {
    text,
    blocks: [
      mrkdwnSection(
        `:alarm_clock: *Reminder*: the executor image of ${plural(change.updates.length, 'hardware tier')} on ${change.deployment} changes ${when(change, timeZone)} (${change._id}).`,
      ),
      contextBlock(labels),
    ],
  };
}

/** Posted to the announcement channel when an announced change will not happen after all (pure). */
export function cancelledNoticeMessage(change: ChangeRecord): { text: string } {
  return {
    text: `:information_source: The announced executor image change ${change._id} on ${change.deployment} will not happen (${change.status}). Nothing changes for your runs.`,
  };
}

/** The DM to each user who was told about a change that will not happen after all (pure). */
export function cancelledUserMessage(change: ChangeRecord): { text: string; blocks: Block[] } {
  const tiers = truncate(change.updates.map((t) => `*${escapeMrkdwn(t.label)}*`).join(', '), 1_500, '…');
  const text = `The executor image change ${change._id} on ${change.deployment} is off (${change.status}); nothing changed.`;
  return {
    text,
    blocks: [
      mrkdwnSection(
        `:information_source: The change to ${tiers} on ${change.deployment} that you were told about (${change._id}) is off (${change.status}): nothing changed, your runs keep their executor image.`,
      ),
    ],
  };
}
