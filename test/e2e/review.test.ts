import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { ADMIN, ADMIN2, type Harness, OPS, startHarness } from '../support/bot-harness.js';
import type { FakeSlackCall } from '../support/fake-slack.js';

const isReport = (c: FakeSlackCall) =>
  c.method === 'chat.postMessage' && String(c.args.text).startsWith('AMI review of acme');
const reviewIdOf = (call: FakeSlackCall): string => {
  const blocks = call.args.blocks as Array<{ type: string; elements?: Array<{ value?: string }> }>;
  return blocks.find((b) => b.type === 'actions')?.elements?.[0]?.value ?? '';
};
const updatesOf = (h: Harness, ts: unknown) => h.fake.callsTo('chat.update').filter((c) => c.args.ts === ts);

describe('the AMI review through the real Bolt app and signed Slack requests', () => {
  let h: Harness;
  // 1 Oct 2026 10:00 UTC: an hour after the default quarterly tick (09:00 in the global time zone, UTC).
  const clock = createManualClock(new Date('2026-10-01T10:00:00Z'));

  beforeAll(async () => {
    // The production trigger. Only its catch-up on start (on the manual clock) posts here: node-cron, on real
    // time, would next fire on the first day of a quarter at 09:00 UTC, and bot.stop() destroys it.
    h = await startHarness({ domino: true, clock, review: { trigger: 'cron' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('bot.start() posts the tick it missed an hour ago to the ops channel, once', async () => {
    const call = await h.fake.waitFor(isReport, 5_000);
    expect(call.args.channel).toBe(OPS);
    expect(JSON.stringify(call.args.blocks)).toContain('Posted late: ami-bot was not running at that time.');
    expect(h.fake.calls.filter(isReport)).toHaveLength(1);
    expect(await h.store.ticks.get('ami-review:acme:2026-10-01T09:00:00.000Z')).toMatchObject({ gen: 0 });
  });

  it('/ami help lists /ami review', async () => {
    await h.slash('help', { responseId: 'rv-help' });
    expect(await h.answer('rv-help')).toContain('/ami review [deployment]');
  });

  it('/ami review posts the full report with its buttons; the older review is superseded', async () => {
    const first = h.fake.calls.find(isReport)!;
    const res = await h.slash('review', { responseId: 'rv-cmd' });
    expect(res.status).toBe(200);
    expect(await h.answer('rv-cmd')).toBe(`Posted the AMI review of acme in <#${OPS}>.`);
    const report = h.fake.calls.filter(isReport).at(-1)!;
    expect(report).not.toBe(first);
    const blocks = JSON.stringify(report.args.blocks);
    expect(blocks).toContain(`requested by <@${ADMIN}>`);
    expect(blocks).toContain('*Hardware tiers by AMI* (6 tiers on 3 AMIs)');
    expect(blocks).toMatch(
      /`domino-acme-executor-20260815-0900` — 47 days old, \*standard\* \(pipeline AMI name\): Small, Medium, AMI test tier/,
    );
    expect(blocks).toContain('*special* (custom AMI): GPU (K80, Ubuntu 16.04)');
    expect(blocks).toContain('No test recorded.');
    expect(blocks).toContain('NLP team');
    expect(blocks).toContain('fewer than 5) of base images');
    // The AMI lifecycle's section: the demo world's AMIs predate ami-bot's deployment tag, so none is listed.
    expect(blocks).toContain("0 AMIs of acme's bakes, 0 GiB of snapshots, ~$0.00/month (estimate)");
    expect(blocks).toContain('0 orphans.');
    for (const id of [ACTION_IDS.reviewStartBake, ACTION_IDS.reviewSnooze, ACTION_IDS.reviewDone])
      expect(blocks).toContain(id);
    const superseded = updatesOf(h, first.response && (first.response as { ts: string }).ts);
    expect(JSON.stringify(superseded.at(-1)?.args.blocks)).toContain('Superseded by a newer review');
  });

  it('/ami review with an unknown deployment says so and posts nothing', async () => {
    const before = h.fake.calls.filter(isReport).length;
    await h.slash('review staging', { responseId: 'rv-bad' });
    expect(await h.answer('rv-bad')).toContain('Unknown deployment `staging`. Configured: `acme`.');
    expect(h.fake.calls.filter(isReport)).toHaveLength(before);
  });

  it('buttons: only admins; Snooze, then Mark reviewed records who, updates the message, and a double click changes nothing', async () => {
    const report = h.fake.calls.filter(isReport).at(-1)!;
    const reviewId = reviewIdOf(report);
    const ts = (report.response as { ts: string }).ts;

    await h.click(ACTION_IDS.reviewDone, reviewId, { userId: 'U0INTRUDER', responseId: 'rv-intruder', messageTs: ts });
    expect(await h.answer('rv-intruder')).toContain('Only ami-bot admins can mark a review reviewed');
    expect((await h.store.reviews.get(reviewId))?.status).toBe('open');

    await h.click(ACTION_IDS.reviewSnooze, reviewId, { responseId: 'rv-snooze', messageTs: ts });
    expect(await h.answer('rv-snooze')).toBe(
      'Snoozed the AMI review of acme: next reminder Thu 8 Oct 2026, 10:00 UTC.',
    );

    const [a, b] = await Promise.all([
      h.click(ACTION_IDS.reviewDone, reviewId, { userId: ADMIN2, responseId: 'rv-done-1', messageTs: ts }),
      h.click(ACTION_IDS.reviewDone, reviewId, { userId: ADMIN2, responseId: 'rv-done-2', messageTs: ts }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const answers = [await h.answer('rv-done-1'), await h.answer('rv-done-2')];
    expect(answers.filter((t) => t.startsWith('Marked the AMI review of acme reviewed'))).toHaveLength(1);
    expect(answers.filter((t) => /already marked reviewed|Another admin just acted/.test(t))).toHaveLength(1);
    const review = await h.store.reviews.get(reviewId);
    expect(review?.status).toBe('reviewed');
    expect(review?.reviewed?.by).toBe(ADMIN2);
    const last = updatesOf(h, ts).at(-1);
    expect(JSON.stringify(last?.args.blocks)).toContain(`Marked reviewed by <@${ADMIN2}>`);
    expect(JSON.stringify(last?.args.blocks)).not.toContain(ACTION_IDS.reviewDone);
  });

  it('Start bake starts a real bake through the same use case as /ami bake and closes the review', async () => {
    await h.slash('review', { responseId: 'rv-cmd-2' });
    await h.answer('rv-cmd-2');
    const report = h.fake.calls.filter(isReport).at(-1)!;
    const reviewId = reviewIdOf(report);
    await h.click(ACTION_IDS.reviewStartBake, reviewId, { responseId: 'rv-bake' });
    const answer = await h.answer('rv-bake');
    expect(answer).toMatch(
      /^Bake bake-\d{8}-[a-z0-9]{4} of acme started; follow it in its thread\. The AMI review of acme is closed\.$/,
    );
    const [bake] = await h.store.bakes.listRecent(1, 'acme');
    expect(bake?.requester).toBe(ADMIN);
    expect(bake?.note).toBe(`Started from AMI review ${reviewId}`);
    const review = await h.store.reviews.get(reviewId);
    expect(review?.status).toBe('bake-started');
    expect(review?.bake?.bakeId).toBe(bake?._id);
    await h.click(ACTION_IDS.reviewStartBake, reviewId, { userId: ADMIN2, responseId: 'rv-bake-2' });
    expect(await h.answer('rv-bake-2')).toContain(`already started ${bake?._id}`);
    expect(await h.store.bakes.listRecent(5, 'acme')).toHaveLength(1);
  });
});
