import type { PostedMessage } from '../ports/chat.js';
import { createAsyncQueue, eachLimited } from '../shared/async-queue.js';
import { channel, icon, joinText, plainText, type Text, text } from '../shared/text.js';
import { tiersToTell } from './change-audience.js';
import { replyInThread } from './change-messages.js';
import type { AnnouncementSummary } from './change-record.js';
import { audit, type RolloutDeps } from './rollout-deps.js';

/** Wall time, like the Slack adapter's Retry-After waits: Slack's limits are real seconds, in sandbox mode too. */
const RETRY_PAUSE_MS = 3_000;

/** One Slack user to tell: all their tiers, and the DM once it went out. */
interface Recipient {
  userId: string;
  tiers: Set<string>;
  sent?: PostedMessage;
  /** How many tiers the DM listed when it went out: fewer than `tiers` means it must be completed. */
  sentTiers?: number;
}

/**
 * Tells people about a planned change: one post in the announcement channel, one DM per affected user
 * (emails from the tier-user source → Slack users). Who was DMed is stored per change before the DM is sent,
 * so a second run, a retry or another replica never DMs anyone twice; unknown emails are counted, not fatal.
 */
export async function announceChange(deps: RolloutDeps, changeId: string): Promise<AnnouncementSummary | undefined> {
  const change = await deps.store.changes.get(changeId);
  if (!change || change.updates.length === 0) return undefined;
  const log = deps.logger.child({ changeId, deployment: change.deployment });
  const summary: AnnouncementSummary = {
    at: deps.clock.now(),
    tiers: change.audience ? tiersToTell(change).size : change.updates.length,
    emails: 0,
    dmSent: 0,
    alreadyNotified: 0,
    unknownEmails: 0,
    failed: 0,
  };
  if (deps.config.announceChannel) {
    try {
      const posted = await deps.chat.post({
        channel: deps.config.announceChannel,
        ...deps.presenter.announcement(change),
      });
      summary.channelTs = posted.ts;
    } catch (error) {
      log.warn({ err: error }, 'could not post the announcement');
    }
  }

  // The planned tiers, or for node pools the hardware tiers whose runs go there (recorded when planned).
  const labels = tiersToTell(change);
  const tiersByEmail = new Map<string, string[]>();
  if (change.audienceError) summary.sourceError = change.audienceError.slice(0, 300);
  try {
    const users = labels.size > 0 ? await deps.tierUsers.usersByTier([...labels.keys()]) : new Map<string, string[]>();
    for (const [tierId, emails] of users) {
      for (const raw of emails) {
        const email = raw.trim().toLowerCase();
        const list = tiersByEmail.get(email) ?? [];
        const label = labels.get(tierId) ?? tierId;
        if (!list.includes(label)) list.push(label);
        tiersByEmail.set(email, list);
      }
    }
  } catch (error) {
    summary.sourceError = (error as Error).message.slice(0, 300);
    log.warn({ err: error }, 'could not read the users of the affected tiers');
  }
  summary.emails = tiersByEmail.size;

  // Lookups feed the DM lanes as they resolve, so the first DMs go out while later emails are still being looked
  // up (with Slack's limits both phases take minutes). Several emails can belong to one Slack user: a DM that went
  // out before the user's other email resolved is completed in place afterwards (chat.update), still one DM.
  const recipients = new Map<string, Recipient>();
  const ready = createAsyncQueue<Recipient>();
  const lookups = eachLimited([...tiersByEmail], deps.config.rollout.lookupConcurrency, async ([email, tiers]) => {
    try {
      const userId = await deps.chat.lookupUserIdByEmail(email);
      if (!userId) {
        summary.unknownEmails++;
        return;
      }
      const known = recipients.get(userId);
      if (known) {
        for (const tier of tiers) known.tiers.add(tier);
        return;
      }
      const recipient: Recipient = { userId, tiers: new Set(tiers) };
      recipients.set(userId, recipient);
      ready.push(recipient);
    } catch (error) {
      summary.failed++;
      log.warn({ err: error }, 'user lookup failed');
    }
  }).finally(() => ready.close());

  const notify = async (recipient: Recipient, last: boolean, retry: Recipient[]) => {
    const { userId } = recipient;
    if (!(await deps.store.notifications.claim(change._id, userId, deps.clock.now()))) {
      summary.alreadyNotified++;
      return;
    }
    try {
      const tiers = [...recipient.tiers].sort();
      const message = deps.presenter.userNotice(change, tiers);
      recipient.sent = await deps.chat.dm(userId, message.text, message.blocks);
      recipient.sentTiers = tiers.length;
      summary.dmSent++;
    } catch (error) {
      // Give the claim back so the retry (or a later announce run) can still reach this user.
      await deps.store.notifications.release(change._id, userId).catch(() => undefined);
      if (last) summary.failed++;
      else retry.push(recipient);
      log.warn({ err: error, userId, last }, 'DM failed');
    }
  };
  const retry: Recipient[] = [];
  await Promise.all([
    lookups,
    eachLimited(ready, deps.config.rollout.dmConcurrency, (recipient) => notify(recipient, false, retry)),
  ]);
  if (retry.length > 0) {
    // One more pass after a pause: a burst of rate limiting or a Slack blip should not cost anyone the notice.
    await deps.clock.sleep(RETRY_PAUSE_MS);
    await eachLimited(retry, deps.config.rollout.dmConcurrency, (recipient) => notify(recipient, true, []));
  }
  for (const recipient of recipients.values()) {
    const { sent, sentTiers } = recipient;
    if (!sent || sentTiers === undefined || sentTiers >= recipient.tiers.size) continue;
    try {
      const message = deps.presenter.userNotice(change, [...recipient.tiers].sort());
      await deps.chat.update({ channel: sent.channel, ts: sent.ts, ...message });
    } catch (error) {
      log.warn({ err: error, userId: recipient.userId }, 'could not complete a DM with the tiers found later');
    }
  }

  await deps.store.changes.note(change._id, { announcement: summary });
  const announceChannel = deps.config.announceChannel;
  const parts: Text[] = [
    announceChannel
      ? summary.channelTs
        ? text`posted in ${channel(announceChannel)}`
        : text`could not post in ${channel(announceChannel)}`
      : text`no announcement channel configured`,
    text`DMed ${summary.dmSent} user(s) of ${summary.tiers} tier(s)`,
  ];
  if (summary.alreadyNotified > 0) parts.push(text`${summary.alreadyNotified} already told`);
  if (summary.unknownEmails > 0) parts.push(text`${summary.unknownEmails} email(s) without a Slack account`);
  if (summary.failed > 0) parts.push(text`${icon('warning')} ${summary.failed} failed (see the logs)`);
  // Domino's error is outside text: a value of the Text, escaped wherever it is shown.
  if (summary.sourceError) parts.push(text`${icon('warning')} tier users unavailable: ${summary.sourceError}`);
  const said = joinText(parts, '; ');
  await replyInThread(
    deps,
    change,
    deps.presenter.content(text`${icon('announce')} Announced ${change._id}: ${said}.`),
  );
  await audit(deps, {
    actor: 'ami-bot',
    action: 'change.announced',
    deployment: change.deployment,
    changeId: change._id,
    // Plain text; the history shows the announcement channel (in `mentions`) as a channel again.
    summary: plainText(said),
    ...(deps.config.announceChannel ? { mentions: [deps.config.announceChannel] } : {}),
  });
  log.info({ ...summary }, 'change announced');
  return summary;
}

export function announceInBackground(deps: RolloutDeps, changeId: string): void {
  deps.tasks.run(`announce ${changeId}`, async () => {
    await announceChange(deps, changeId);
  });
}
