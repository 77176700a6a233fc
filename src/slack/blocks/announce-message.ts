import type { Block } from '../../ports/chat.js';
import type { ChangeRecord } from '../../rollout/change-record.js';
import { plural, truncate } from '../../shared/format.js';
import { type TargetNoun, targetNoun } from '../../shared/target-noun.js';
import {
  CONTEXT_MAX,
  contextBlock,
  escapeMrkdwn,
  fitLines,
  mrkdwnSection,
  SECTION_MAX,
  slackDate,
} from './block-text.js';

const capital = (words: string) => `${words.charAt(0).toUpperCase()}${words.slice(1)}`;

const why = (change: ChangeRecord, noun: TargetNoun) =>
  change.kind === 'revert'
    ? `It restores the ${noun.image} these ${noun.shortMany} had before ${change.revertOf}.`
    : change.gate?.override
      ? `A new ${noun.image} (${escapeMrkdwn(change.targetAmi ?? '')}) built with the common environment images cached; its effect on *Pulling* was not measured.`
      : `A new ${noun.image} (${escapeMrkdwn(change.targetAmi ?? '')}) with the common environment images already cached: new runs should spend less time in *Pulling*.`;

/** What happens to work already running when the targets move. */
const runningWork = (change: ChangeRecord, noun: TargetNoun) => {
  const image = change.kind === 'revert' ? 'the restored image' : 'the new image';
  return noun.kind === 'eks-node-groups'
    ? `EKS replaces the nodes of each node group with nodes booted from ${image}, draining each old node first: work still running on a node is stopped when the node is replaced. Questions: ask in the ops channel.`
    : `Runs already going keep their machine; runs started after the change boot executors from ${image}. Questions: ask in the ops channel.`;
};

const when = (change: ChangeRecord, timeZone: string) =>
  change.applyAt
    ? `in the maintenance window starting ${slackDate(change.applyAt, timeZone)}`
    : 'as soon as it is approved';

/** Said openly when an admin planned the change without a passed test (the gate's override). */
const overrideNote = (change: ChangeRecord, noun: TargetNoun) =>
  change.gate?.override
    ? [
        mrkdwnSection(
          truncate(
            `:warning: This image was not tested the usual way (a timed Domino job on a fresh ${noun.machine}); an admin overrode the test with this reason: “${escapeMrkdwn(change.gate.override.reason)}”`,
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
  noun: TargetNoun,
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
      mrkdwnSection(why(change, noun)),
      ...overrideNote(change, noun),
      contextBlock(
        `The pools' nodes are replaced one by one with nodes from ${change.kind === 'revert' ? 'the restored image' : 'the new image'}: a run still going on a replaced node is evicted, unless ami-bot waits for the pool to be idle (the ops channel says which). Questions: ask in the ops channel.`,
      ),
    ],
  };
}

/** The post in the announcement channel: which tiers, when, why (pure). */
export function announcementMessage(
  change: ChangeRecord,
  timeZone: string,
  noun: TargetNoun = targetNoun(),
): { text: string; blocks: Block[] } {
  if (change.audience) return nodePoolAnnouncement(change, change.audience, timeZone, noun);
  const labels = change.updates.map((t) => escapeMrkdwn(t.label));
  const list = truncate(labels.join(', '), SECTION_MAX - 200, `… and more (${labels.length} in all)`);
  const text = `Upcoming change of ${noun.many} on ${change.deployment}: ${plural(labels.length, noun.short, noun.shortMany)}, ${when(change, timeZone)}.`;
  return {
    text,
    blocks: [
      mrkdwnSection(`:mega: *${capital(noun.image)} change on ${change.deployment}* ${when(change, timeZone)}`),
      mrkdwnSection(`*${capital(noun.many)} (${labels.length})*: ${list}`),
      mrkdwnSection(why(change, noun)),
      ...overrideNote(change, noun),
      contextBlock(runningWork(change, noun)),
    ],
  };
}

/** The DM to one user of affected tiers (pure). */
export function userNoticeMessage(
  change: ChangeRecord,
  tierLabels: string[],
  timeZone: string,
  noun: TargetNoun = targetNoun(),
): { text: string; blocks: Block[] } {
  const tiers = truncate(tierLabels.map((l) => `*${escapeMrkdwn(l)}*`).join(', '), 1_500, '…');
  // A user ran on hardware tiers whatever the kind; on EKS what changes under them is their pool's node image.
  const image = noun.image;
  const text = `Heads-up: the hardware tier(s) you used recently on ${change.deployment} change ${image} ${change.applyAt ? 'in a maintenance window' : 'soon'}.`;
  return {
    text,
    blocks: [
      mrkdwnSection(
        `:wave: You ran on ${tiers} recently. Their ${image} changes ${when(change, timeZone)} (${change._id}).`,
      ),
      mrkdwnSection(why(change, noun)),
      contextBlock(
        change.audience
          ? 'Nothing to do on your side. The nodes of these tiers are replaced: a run still going on a replaced node is evicted, unless ami-bot waits for the pool to be idle. You get this message once per change.'
          : 'Nothing to do on your side. Runs already going are not interrupted. You get this message once per change.',
      ),
    ],
  };
}

/** The reminder an hour before the maintenance window (pure). */
export function reminderMessage(
  change: ChangeRecord,
  timeZone: string,
  noun: TargetNoun = targetNoun(),
): { text: string; blocks: Block[] } {
  const labels = truncate(change.updates.map((t) => escapeMrkdwn(t.label)).join(', '), CONTEXT_MAX, '…');
  const text = `Reminder: ${change.deployment} ${noun.many} change ${noun.image} at the window starting ${change.applyAt?.toISOString()}.`;
  return {
    text,
    blocks: [
      mrkdwnSection(
        `:alarm_clock: *Reminder*: the ${noun.image} of ${plural(change.updates.length, noun.one, noun.many)} on ${change.deployment} changes ${when(change, timeZone)} (${change._id}).`,
      ),
      contextBlock(labels),
    ],
  };
}

/** Posted to the announcement channel when an announced change will not happen after all (pure). */
export function cancelledNoticeMessage(change: ChangeRecord, noun: TargetNoun = targetNoun()): { text: string } {
  return {
    text: `:information_source: The announced ${noun.image} change ${change._id} on ${change.deployment} will not happen (${change.status}). Nothing changes for your runs.`,
  };
}

/** The DM to each user who was told about a change that will not happen after all (pure). */
export function cancelledUserMessage(
  change: ChangeRecord,
  noun: TargetNoun = targetNoun(),
): { text: string; blocks: Block[] } {
  const tiers = truncate(change.updates.map((t) => `*${escapeMrkdwn(t.label)}*`).join(', '), 1_500, '…');
  const text = `The ${noun.image} change ${change._id} on ${change.deployment} is off (${change.status}); nothing changed.`;
  return {
    text,
    blocks: [
      mrkdwnSection(
        `:information_source: The change to ${tiers} on ${change.deployment} that you were told about (${change._id}) is off (${change.status}): nothing changed, your runs keep their ${noun.image}.`,
      ),
    ],
  };
}
