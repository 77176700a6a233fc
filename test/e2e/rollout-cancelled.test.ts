import { afterEach, describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import type { Harness } from '../support/bot-harness.js';
import { dmUser } from '../support/fake-slack.js';
import {
  APPROVERS,
  gateReadyAmi,
  latestChange,
  rolloutHarness,
  tierImages,
  until,
} from '../support/rollout-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Plans a change of the standard tiers to a gate-ready AMI and waits for its announcement (channel + DMs). */
async function planAndAnnounce(harness: Harness) {
  const { amiId: target } = await gateReadyAmi(harness);
  await harness.slash(`plan ${target}`, { responseId: 'plan' });
  expect(await harness.answer('plan')).toContain('Planned');
  const change = await latestChange(harness, 'rollout');
  await harness.bot.rollout.idle();
  const told = harness.fake
    .callsTo('chat.postMessage')
    .filter((c) => dmUser(c) !== undefined && String(c.args.text).startsWith('Heads-up'))
    .map((c) => dmUser(c) as string);
  expect(told.length).toBeGreaterThan(0);
  expect(new Set(told).size).toBe(told.length);
  expect((await harness.store.notifications.listNotified(change._id)).sort()).toEqual([...told].sort());
  return { change, told };
}

/** The cancellation DMs sent so far, per user. */
function cancellationDms(harness: Harness, changeId: string): Map<string, string[]> {
  const perUser = new Map<string, string[]>();
  for (const call of harness.fake.callsTo('chat.postMessage')) {
    const user = dmUser(call);
    const text = String(call.args.text ?? '');
    if (user === undefined || !text.includes(`${changeId} on acme is off`)) continue;
    perUser.set(user, [...(perUser.get(user) ?? []), `${text}\n${JSON.stringify(call.args.blocks)}`]);
  }
  return perUser;
}

/** Waits for the cancellation DMs; exactly the users told about the change get exactly one each. */
async function expectOneCancellationEach(harness: Harness, changeId: string, told: string[], status: string) {
  const dms = await until('the cancellation DMs', async () => {
    const sent = cancellationDms(harness, changeId);
    return sent.size >= told.length ? sent : undefined;
  });
  expect([...dms.keys()].sort()).toEqual([...told].sort());
  for (const [user, messages] of dms) {
    expect(messages, user).toHaveLength(1);
    expect(messages[0]).toContain(`is off (${status}); nothing changed`);
  }
  return dms;
}

describe('users DMed about a change hear when it is off (signed Slack requests → real app → fake Slack)', () => {
  it('a rejected change: every DMed user gets exactly one DM saying it is off, even when two approvers reject at once', async () => {
    h = await rolloutHarness();
    const before = tierImages(h);
    const { change, told } = await planAndAnnounce(h);
    const messageTs = change.message?.ts ?? '';
    // Two approvers reject at the same moment, and one click is delivered twice.
    const clicks = await Promise.all([
      h.click(ACTION_IDS.reject, change._id, { userId: APPROVERS[0], messageTs, responseId: 'reject0' }),
      h.click(ACTION_IDS.reject, change._id, { userId: APPROVERS[1], messageTs, responseId: 'reject1' }),
      h.click(ACTION_IDS.reject, change._id, { userId: APPROVERS[1], messageTs, responseId: 'reject1b' }),
    ]);
    expect(clicks.every((c) => c.status === 200)).toBe(true);
    await h.bot.rollout.idle();
    expect((await h.store.changes.get(change._id))?.status).toBe('rejected');
    const dms = await expectOneCancellationEach(h, change._id, told, 'rejected');
    expect([...dms.values()].every(([message]) => message?.includes('*Small*'))).toBe(true);
    expect(tierImages(h)).toEqual(before);
  });

  it('a change rejected while its announcement is still DMing people: those DMed after the reject are told too', async () => {
    h = await rolloutHarness((config) => {
      config.rollout.dmConcurrency = 2; // so some users are still waiting for their turn at the reject
    });
    // Slack holds every heads-up DM after the third until the change has been rejected.
    let headsUps = 0;
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    h.fake.onCall('chat.postMessage', async (call) => {
      if (String(call.args.text).startsWith('Heads-up') && ++headsUps > 3) await gate;
      return undefined;
    });
    const { amiId: target } = await gateReadyAmi(h);
    await h.slash(`plan ${target}`, { responseId: 'plan' });
    expect(await h.answer('plan')).toContain('Planned');
    const change = await latestChange(h, 'rollout');
    await until('the first DMs', async () => (headsUps > 3 ? true : undefined));
    await h.click(ACTION_IDS.reject, change._id, {
      userId: APPROVERS[0],
      messageTs: change.message?.ts ?? '',
      responseId: 'reject',
    });
    await h.answer('reject');
    expect((await h.store.changes.get(change._id))?.status).toBe('rejected');
    expect((await h.store.changes.get(change._id))?.announcement).toBeUndefined();
    open();
    await h.bot.rollout.idle();
    const told = await h.store.notifications.listNotified(change._id);
    expect(told.length).toBeGreaterThan(3);
    await expectOneCancellationEach(h, change._id, told, 'rejected');
  });

  it('an expired change: each DMed user is told once, however many late clicks find it expired', async () => {
    h = await rolloutHarness((config) => {
      config.approvalTtlHours = 0.01; // 36 virtual seconds
    });
    const { change, told } = await planAndAnnounce(h);
    await until('the deadline', async () => (h!.clock.now() > change.deadline ? true : undefined));
    const messageTs = change.message?.ts ?? '';
    await Promise.all(
      APPROVERS.slice(0, 5).map((userId, i) =>
        h!.click(ACTION_IDS.approve, change._id, { userId, messageTs, responseId: `late${i}` }),
      ),
    );
    expect(await h.answer('late0')).toContain('expired');
    await h.bot.rollout.idle();
    expect((await h.store.changes.get(change._id))?.status).toBe('expired');
    await expectOneCancellationEach(h, change._id, told, 'expired');
  });
});
