import { describe, expect, it } from 'vitest';
import { newStepTable } from '../../src/bake/bake-steps.js';
import { AppError } from '../../src/errors.js';
import type { Block } from '../../src/ports/chat.js';
import { DEMO_IDS } from '../../src/sim/seed-demo-world.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { createReviewFixture, DAY_MS, type ReviewFixture } from '../support/review-fixture.js';
import { sampleSuggestion } from '../support/sample-suggestion.js';

const ADMIN = DEMO_IDS.requester;
const ADMIN2 = DEMO_IDS.approvers[0];
const blocksText = (blocks: Block[] | undefined) => JSON.stringify(blocks ?? []);
const hasButtons = (blocks: Block[] | undefined) => (blocks ?? []).some((b) => b.type === 'actions');

async function openOne(f: ReviewFixture): Promise<string> {
  await f.feature.useCases.openReview({ trigger: 'command', userId: ADMIN, channelId: DEMO_IDS.opsChannel });
  const [review] = await f.store.reviews.listOpen('acme');
  if (!review) throw new Error('no open review');
  return review._id;
}

/** Moves the clock to `days` after the start and runs the follow-up check, as the scheduler would. */
async function followUpsAt(f: ReviewFixture, days: number, start = new Date('2026-10-01T07:00:00Z')): Promise<number> {
  await f.clock.advance(start.getTime() + days * DAY_MS - f.clock.now().getTime());
  return f.feature.sendFollowUps();
}

describe('opening a review', () => {
  it('posts the report to the channel with the real tiers, AMI ages, standard/special and the images in use', async () => {
    const f = createReviewFixture();
    const current = [...f.world.images.values()].find((i) => i.name === 'domino-acme-executor-20260815-0900');
    await f.store.bakes.insert({
      _id: 'bake-20260815-k3m9',
      deployment: 'acme',
      requester: ADMIN,
      channel: DEMO_IDS.opsChannel,
      images: [DEMO_IDS.images.base, DEMO_IDS.images.standard],
      noReboot: false,
      status: 'succeeded',
      steps: newStepTable(),
      facts: { imageId: current?.id ?? '', imageName: current?.name ?? '' },
      createdAt: new Date('2026-08-15T08:10:00Z'),
      updatedAt: new Date('2026-08-15T09:00:00Z'),
      endedAt: new Date('2026-08-15T09:00:00Z'),
    });
    const reply = await f.feature.useCases.openReview({
      trigger: 'command',
      userId: ADMIN,
      channelId: DEMO_IDS.opsChannel,
    });
    expect(reply.text).toBe(`Posted the AMI review of acme in <#${DEMO_IDS.opsChannel}>.`);
    expect(f.chat.posts).toHaveLength(1);
    const post = f.chat.posts[0]!;
    expect(post.channel).toBe(DEMO_IDS.opsChannel);
    const text = blocksText(post.blocks);
    expect(text).toContain(`requested by <@${ADMIN}>`);
    expect(text).toContain(
      `\`${current?.id}\` \`domino-acme-executor-20260815-0900\` — 46 days old, *standard* (pipeline AMI name): Small, Medium, AMI test tier`,
    );
    expect(text).toContain('*special* (custom AMI): GPU (K80, Ubuntu 16.04)');
    expect(text).toContain('*special* (pinned in config): Legacy (pinned)');
    expect(text).toContain('143 days old :warning:, *standard* (pipeline AMI name): Large');
    expect(text).toContain(`:x: NLP team \`${DEMO_IDS.images.nlp}\` — 203 runs, not on the AMI`);
    expect(text).toContain(`:x: Spark 3.3 compute \`${DEMO_IDS.images.spark}\` — 77 runs, not on the AMI`);
    expect(text).toContain(':white_check_mark: 2 environments (1370 runs) already cached');
    expect(text).toContain('No test recorded.');
    expect(hasButtons(post.blocks)).toBe(true);
    const [review] = await f.store.reviews.listOpen('acme');
    expect(review?.messageTs).toBe(post.ts);
    expect(review?.nextReminderAt?.toISOString()).toBe('2026-10-08T07:00:00.000Z');
  });

  it('refuses an unknown deployment with a clear AppError, posting nothing', async () => {
    const f = createReviewFixture();
    await expect(
      f.feature.useCases.openReview({ trigger: 'command', deployment: 'nope', userId: ADMIN, channelId: 'C0OPS00001' }),
    ).rejects.toThrow(/Unknown deployment `nope`. Configured: `acme`/);
    expect(f.chat.posts).toHaveLength(0);
  });

  it('a newer review supersedes the open one: its buttons go, its reminders stop', async () => {
    const f = createReviewFixture();
    const first = await openOne(f);
    await f.clock.advance(DAY_MS);
    await f.feature.useCases.openReview({ trigger: 'command', userId: ADMIN2, channelId: DEMO_IDS.opsChannel });
    expect((await f.store.reviews.get(first))?.status).toBe('superseded');
    const update = f.chat.updates.find((u) => u.ts === f.chat.posts[0]?.ts);
    expect(blocksText(update?.blocks)).toContain('Superseded by a newer review');
    expect(hasButtons(update?.blocks)).toBe(false);
    expect(await f.store.reviews.listOpen('acme')).toHaveLength(1);
    expect(await followUpsAt(f, 7)).toBe(0);
    expect(await followUpsAt(f, 8)).toBe(1);
  });
});

describe('follow-ups', () => {
  it('reminds every followUpDays, at most maxFollowUps times, each reminder once', async () => {
    const f = createReviewFixture();
    const id = await openOne(f);
    expect(await followUpsAt(f, 6.9)).toBe(0);
    expect(await followUpsAt(f, 7)).toBe(1);
    expect(await f.feature.sendFollowUps()).toBe(0);
    expect(f.chat.posts[1]?.text).toContain(':bell: Reminder 1: the AMI review of *acme*');
    expect(f.chat.posts[1]?.text).toContain('<https://fake.slack.test/archives/');
    expect(hasButtons(f.chat.posts[1]?.blocks)).toBe(true);
    expect(await followUpsAt(f, 14)).toBe(1);
    expect(await followUpsAt(f, 21)).toBe(1);
    expect(await followUpsAt(f, 28)).toBe(0);
    expect(await followUpsAt(f, 90)).toBe(0);
    const review = await f.store.reviews.get(id);
    expect(review?.followUps).toBe(3);
    expect(review?.nextReminderAt).toBeUndefined();
    expect(review?.status).toBe('open');
    const lastUpdate = f.chat.updates.filter((u) => u.ts === review?.messageTs).at(-1);
    expect(blocksText(lastUpdate?.blocks)).toContain('No more reminders are planned for this review.');
  });

  it('a reminder Slack refused is tried again at the next check, and sent once', async () => {
    const f = createReviewFixture();
    const id = await openOne(f);
    f.chat.failPosts(1);
    expect(await followUpsAt(f, 7)).toBe(0);
    expect((await f.store.reviews.get(id))?.followUps).toBe(0);
    expect(await followUpsAt(f, 7.01)).toBe(1);
    expect(await f.feature.sendFollowUps()).toBe(0);
    expect(f.chat.posts.filter((p) => p.text.startsWith(':bell: Reminder 1'))).toHaveLength(1);
  });

  it('honours review.followUpDays and maxFollowUps from the config (0 = never remind)', async () => {
    const f = createReviewFixture({
      tweak: (c) => {
        c.deployments[0]!.review.followUpDays = 3;
        c.deployments[0]!.review.maxFollowUps = 1;
      },
    });
    await openOne(f);
    expect(await followUpsAt(f, 3)).toBe(1);
    expect(await followUpsAt(f, 6)).toBe(0);
    const silent = createReviewFixture({
      tweak: (c) => {
        c.deployments[0]!.review.maxFollowUps = 0;
      },
    });
    await openOne(silent);
    expect(await followUpsAt(silent, 30)).toBe(0);
  });
});

describe('snooze, reviewed and start bake', () => {
  it('Snooze moves the next reminder 7 days from the click; a double click moves it once', async () => {
    const f = createReviewFixture();
    const id = await openOne(f);
    await f.clock.advance(3 * DAY_MS);
    const reply = await f.feature.useCases.snoozeReview({ userId: ADMIN, reviewId: id });
    expect(reply.text).toBe('Snoozed the AMI review of acme: next reminder Sun 11 Oct 2026, 09:00 CEST.');
    const again = await f.feature.useCases.snoozeReview({ userId: ADMIN2, reviewId: id });
    expect(again.text).toBe(`Already snoozed by <@${ADMIN}> until Sun 11 Oct 2026, 09:00 CEST.`);
    expect((await f.store.reviews.get(id))?.snoozes).toBe(1);
    expect(await followUpsAt(f, 7)).toBe(0);
    expect(await followUpsAt(f, 10)).toBe(1);
    expect((await f.store.reviews.get(id))?.nextReminderAt?.toISOString()).toBe('2026-10-18T07:00:00.000Z');
    const update = f.chat.updates.find((u) => blocksText(u.blocks).includes(`Snoozed by <@${ADMIN}>`));
    expect(update?.ts).toBe(f.chat.posts[0]?.ts);
  });

  it('a snooze after the last reminder still brings one more reminder', async () => {
    const f = createReviewFixture({
      tweak: (c) => {
        c.deployments[0]!.review.maxFollowUps = 1;
      },
    });
    const id = await openOne(f);
    expect(await followUpsAt(f, 7)).toBe(1);
    expect((await f.store.reviews.get(id))?.nextReminderAt).toBeUndefined();
    await f.feature.useCases.snoozeReview({ userId: ADMIN, reviewId: id });
    expect(await followUpsAt(f, 13)).toBe(0);
    expect(await followUpsAt(f, 14)).toBe(1);
    expect(await followUpsAt(f, 40)).toBe(0);
  });

  it('Mark reviewed records who and when, updates the report and its reminders, and stops reminders', async () => {
    const f = createReviewFixture();
    const id = await openOne(f);
    expect(await followUpsAt(f, 7)).toBe(1);
    await f.clock.advance(DAY_MS);
    const reply = await f.feature.useCases.markReviewed({ userId: ADMIN2, reviewId: id });
    expect(reply.text).toBe('Marked the AMI review of acme reviewed; no more reminders for it.');
    const review = await f.store.reviews.get(id);
    expect(review?.status).toBe('reviewed');
    expect(review?.reviewed).toEqual({ by: ADMIN2, at: new Date('2026-10-09T07:00:00Z') });
    const [report, reminder] = [f.chat.posts[0]?.ts, f.chat.posts[1]?.ts].map((ts) =>
      f.chat.updates.filter((u) => u.ts === ts).at(-1),
    );
    expect(blocksText(report?.blocks)).toContain(`Marked reviewed by <@${ADMIN2}> on Fri 9 Oct 2026, 09:00 CEST`);
    expect(hasButtons(report?.blocks)).toBe(false);
    expect(reminder?.text).toContain('is closed');
    expect(hasButtons(reminder?.blocks)).toBe(false);
    expect(await followUpsAt(f, 30)).toBe(0);
    const twice = await f.feature.useCases.markReviewed({ userId: ADMIN, reviewId: id });
    expect(twice.text).toContain(`already marked reviewed by <@${ADMIN2}>`);
    expect((await f.store.reviews.get(id))?.reviewed?.by).toBe(ADMIN2);
  });

  it('three admins clicking at once: one decision, the others are told', async () => {
    const f = createReviewFixture();
    const id = await openOne(f);
    const replies = await Promise.all([
      f.feature.useCases.markReviewed({ userId: ADMIN, reviewId: id }),
      f.feature.useCases.markReviewed({ userId: ADMIN2, reviewId: id }),
      f.feature.useCases.startBakeFromReview({ userId: ADMIN, reviewId: id }),
    ]);
    const winners = replies.filter((r) => r.text.startsWith('Marked') || r.text.includes('is closed'));
    expect(winners).toHaveLength(1);
    expect(f.bakeCalls.length).toBeLessThanOrEqual(1);
  });

  it('Start bake bakes the suggested images (the --images auto use case) when the review showed a suggestion', async () => {
    const autoCalls: unknown[] = [];
    const f = createReviewFixture({
      suggestImages: async () => ({ kind: 'suggested', suggestion: sampleSuggestion() }),
      startAutoBake: async (input) => {
        autoCalls.push(input);
        return {
          text: 'Baking 2 suggested image(s). Bake bake-20261001-abcd of acme started; follow it in its thread.',
        };
      },
    });
    const id = await openOne(f);
    const report = f.chat.posts.find((p) => blocksText(p.blocks).includes('Suggested images'));
    expect(JSON.stringify(report?.blocks)).toContain('with the suggested images, chosen again from the latest runs');
    const reply = await f.feature.useCases.startBakeFromReview({ userId: ADMIN, reviewId: id });
    expect(reply.text).toContain('Baking 2 suggested image(s).');
    expect(autoCalls).toEqual([
      {
        userId: ADMIN,
        channelId: DEMO_IDS.opsChannel,
        deployment: 'acme',
        noReboot: false,
        note: `Started from AMI review ${id}`,
      },
    ]);
    expect(f.bakeCalls).toEqual([]);
    expect((await f.store.reviews.get(id))?.status).toBe('bake-started');
  });

  it('Start bake bakes the configured list when the review had no suggestion, even with --images auto available', async () => {
    const autoCalls: unknown[] = [];
    const f = createReviewFixture({
      startAutoBake: async (input) => {
        autoCalls.push(input);
        return { text: 'unexpected' };
      },
    });
    const id = await openOne(f);
    await f.feature.useCases.startBakeFromReview({ userId: ADMIN, reviewId: id });
    expect(autoCalls).toEqual([]);
    expect(f.bakeCalls).toHaveLength(1);
  });

  it('Start bake calls the start-bake use case and closes the review with the bake id', async () => {
    const f = createReviewFixture();
    const id = await openOne(f);
    const reply = await f.feature.useCases.startBakeFromReview({ userId: ADMIN, reviewId: id });
    expect(reply.text).toBe(
      'Bake bake-20261001-abcd of acme started; follow it in its thread. The AMI review of acme is closed.',
    );
    expect(f.bakeCalls).toEqual([
      {
        userId: ADMIN,
        channelId: DEMO_IDS.opsChannel,
        deployment: 'acme',
        noReboot: false,
        note: `Started from AMI review ${id}`,
      },
    ]);
    const review = await f.store.reviews.get(id);
    expect(review?.status).toBe('bake-started');
    expect(review?.bake?.bakeId).toBe('bake-20261001-abcd');
    const update = f.chat.updates.filter((u) => u.ts === review?.messageTs).at(-1);
    expect(blocksText(update?.blocks)).toContain(`<@${ADMIN}> started bake \`bake-20261001-abcd\` from this review`);
    const again = await f.feature.useCases.startBakeFromReview({ userId: ADMIN2, reviewId: id });
    expect(again.text).toContain('already started bake-20261001-abcd');
    expect(f.bakeCalls).toHaveLength(1);
    expect(await followUpsAt(f, 10)).toBe(0);
  });

  it('a bake that cannot start leaves the review open with its buttons, and says why', async () => {
    const f = createReviewFixture({
      startBake: async () => {
        throw new AppError('bake_in_progress', 'A bake of acme is already running: bake-20260930-zzzz.');
      },
    });
    const id = await openOne(f);
    await expect(f.feature.useCases.startBakeFromReview({ userId: ADMIN, reviewId: id })).rejects.toThrow(
      'A bake of acme is already running',
    );
    const review = await f.store.reviews.get(id);
    expect(review?.status).toBe('open');
    const update = f.chat.updates.filter((u) => u.ts === review?.messageTs).at(-1);
    expect(hasButtons(update?.blocks)).toBe(true);
    expect(await followUpsAt(f, 7)).toBe(1);
  });

  it('rejects a forged or unknown review id', async () => {
    const f = createReviewFixture();
    await expect(f.feature.useCases.markReviewed({ userId: ADMIN, reviewId: '{"$ne":null}' })).rejects.toThrow(
      'That button does not belong to an AMI review.',
    );
    await expect(
      f.feature.useCases.snoozeReview({ userId: ADMIN, reviewId: 'review-acme-20300101T000000Z' }),
    ).rejects.toMatchObject({ code: 'unknown_review' });
    expect(ACTION_IDS.reviewDone).toBe('ami_review_done');
  });
});
