import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/ports/chat.js';
import type { TierAmiLine } from '../../src/review/review-report.js';
import { blockKitErrors } from '../../src/sim/block-kit-limits.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { reviewMessage, reviewReminderMessage } from '../../src/slack/blocks/review-message.js';
import { sampleReport, sampleReview } from '../support/sample-review.js';

const textOf = (blocks: Block[]) => JSON.stringify(blocks);
const sectionTexts = (blocks: Block[]) =>
  blocks.flatMap((b) => (b.type === 'section' ? [String((b.text as { text: string }).text)] : []));
const actions = (blocks: Block[]) =>
  blocks.find((b) => b.type === 'actions') as { elements: Array<Record<string, unknown>> } | undefined;

function manyTiers(count: number, amis: number): TierAmiLine[] {
  return Array.from({ length: count }, (_, i) => ({
    tierId: `tier-${i}`,
    label: `Hardware tier number ${i} with a long descriptive label`,
    amiId: `ami-${String(i % amis).padStart(17, '0')}`,
    amiName: `domino-acme-executor-2026${String(((i % amis) % 12) + 1).padStart(2, '0')}01-0900`,
    ageDays: 10 + (i % amis),
    kind: i % 7 === 0 ? 'special' : 'standard',
    why: i % 7 === 0 ? 'custom AMI' : 'pipeline AMI name',
  }));
}

describe('reviewMessage (pure Block Kit builder)', () => {
  it('reads as a review: tiers by AMI with age and standard/special, latest bake, test, environments, advice', () => {
    const { text, blocks } = reviewMessage(sampleReview());
    expect(blockKitErrors(blocks)).toEqual([]);
    const all = sectionTexts(blocks).join('\n');
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'AMI review · acme' } });
    expect(all).toContain('Time for the quarterly review of *acme*');
    expect(all).toContain('Thu 1 Oct 2026, 09:00 CEST');
    expect(all).toContain('5 tiers: 3 standard, 2 special');
    expect(all).toContain('oldest standard AMI 144 days old :warning:');
    expect(all).toContain(
      '• `ami-0current` `domino-acme-executor-20260815-0900` — 47 days old, *standard* (pipeline AMI name): Small, Medium',
    );
    expect(all).toContain('*special* (custom AMI): GPU (K80, Ubuntu 16.04)');
    expect(all).toContain('*special* (pinned in config): Legacy (pinned)');
    expect(all).toContain('`bake-20260815-k3m9` by <@U0ADMIN01>, succeeded 15 Aug 2026 → `ami-0current`');
    expect(all).toContain('*Last AMI test*\nNo test recorded.');
    expect(all).toContain(':x: NLP team `registry.acme.example/ds/nlp-env:2026.07` — 203 runs, not on the AMI');
    expect(all).toContain(':grey_question: Legacy R — 12 runs, image unknown');
    expect(all).toContain(':white_check_mark: 1 environment (958 runs) already cached');
    expect(all).toContain('fewer than 5) of base images');
    expect(all).toContain('quarterly, or whenever users’ runs spend long in *Pulling*');
    expect(all).toContain(
      '`/ami bake acme --images quay.io/domino/base:1,quay.io/domino/standard:5.5,registry.acme.example/ds/nlp-env:2026.07`',
    );
    expect(textOf(blocks)).toContain("I'll remind this channel on Thu 8 Oct 2026, 09:00 CEST (reminder 1 of 3)");
    expect(text).toContain('AMI review of acme: 5 tiers');
  });

  it('has the three buttons, each carrying the review id; Start bake asks for confirmation', () => {
    const { blocks } = reviewMessage(sampleReview());
    const buttons = actions(blocks)?.elements ?? [];
    expect(buttons.map((b) => b.action_id)).toEqual([
      ACTION_IDS.reviewStartBake,
      ACTION_IDS.reviewSnooze,
      ACTION_IDS.reviewDone,
    ]);
    expect(buttons.map((b) => b.value)).toEqual(Array(3).fill('review-acme-20261001T070000Z'));
    expect(buttons.map((b) => (b.text as { text: string }).text)).toEqual([
      'Start bake',
      'Snooze 7 days',
      'Mark reviewed',
    ]);
    expect(JSON.stringify(buttons[0]?.confirm)).toContain(
      'Bake a new executor AMI of acme with its 2 configured images',
    );
  });

  it('shows the last test’s Pulling and start times when the rollout recorded one', () => {
    const review = sampleReview({
      report: sampleReport({
        lastTest: {
          id: 'test-20260816-ab12',
          amiId: 'ami-0current',
          tierLabel: 'AMI test tier',
          at: new Date('2026-08-16T10:00:00Z'),
          status: 'passed',
          pullingSeconds: 0,
          startSeconds: 200,
        },
      }),
    });
    expect(sectionTexts(reviewMessage(review).blocks).join('\n')).toContain(
      '`test-20260816-ab12` of `ami-0current` on AMI test tier, 16 Aug 2026 (passed): Pulling 0 s, start 3 min 20 s',
    );
  });

  it('shows the AMI inventory in numbers, the cost as an estimate, and the orphan sweep ("0 orphans")', () => {
    const inventory = {
      amis: 7,
      snapshotGiB: 700,
      monthlyCostUsd: 35,
      retirable: 3,
      orphanImages: 0,
      orphanSnapshots: 0,
    };
    const clean = sectionTexts(reviewMessage(sampleReview({ report: sampleReport({ inventory }) })).blocks).join('\n');
    expect(clean).toContain(
      "*AMIs and snapshots*\n7 AMIs of acme's bakes, 700 GiB of snapshots, ~$35.00/month (estimate); 3 AMIs retirable by the retention policy (`/ami prune`); 0 orphans.",
    );
    const dirty = reviewMessage(
      sampleReview({ report: sampleReport({ inventory: { ...inventory, orphanImages: 1, orphanSnapshots: 2 } }) }),
    );
    expect(sectionTexts(dirty.blocks).join('\n')).toContain('3 orphans (1 image, 2 snapshots no record explains)');
    const failed = reviewMessage(
      sampleReview({ report: sampleReport({ inventoryNote: 'Could not read <!channel>' }) }),
    );
    expect(sectionTexts(failed.blocks).join('\n')).toContain('*AMIs and snapshots*\nCould not read &lt;!channel&gt;');
    // A review stored before the inventory existed shows no such section.
    expect(textOf(reviewMessage(sampleReview()).blocks)).not.toContain('AMIs and snapshots');
    expect(blockKitErrors(dirty.blocks)).toEqual([]);
  });

  it('says what is missing instead of failing: no tiers source, no bakes, no environment source', () => {
    const review = sampleReview({
      report: sampleReport({
        tiers: undefined,
        tiersNote: "Domino's hardware tiers are not configured (MONGODB_URI).",
        latestBake: undefined,
        environments: undefined,
        environmentsNote: 'No source of environments in use is configured.',
      }),
    });
    const { blocks } = reviewMessage(review);
    const all = sectionTexts(blocks).join('\n');
    expect(all).toContain("*Hardware tiers*\nDomino's hardware tiers are not configured");
    expect(all).toContain('No bake of acme recorded by ami-bot yet.');
    expect(all).toContain('No source of environments in use is configured.');
    expect(blockKitErrors(blocks)).toEqual([]);
  });

  it.each([
    [200, 200],
    [200, 2],
    [1000, 40],
  ])('stays within Block Kit limits with %i tiers on %i AMIs', (count, amis) => {
    const environments = Array.from({ length: 60 }, (_, i) => ({
      environment: `Team environment ${i} with a fairly long name`,
      image: `registry.acme.example/team-${i}/env:2026.${i}`,
      runs: 1000 - i,
      cached: i % 3 === 0,
    }));
    const review = sampleReview({ report: sampleReport({ tiers: manyTiers(count, amis), environments }) });
    const { text, blocks } = reviewMessage(review);
    expect(blockKitErrors(blocks)).toEqual([]);
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const t of sectionTexts(blocks)) expect(t.length).toBeLessThanOrEqual(3000);
    expect(textOf(blocks).length).toBeLessThan(13_000);
    expect(text.length).toBeLessThanOrEqual(4000);
    expect(text).toContain(`${count} tiers`);
    const all = sectionTexts(blocks).join('\n');
    if (amis === 2) expect(all).toMatch(/\+\d+ more/);
    else expect(all).toMatch(/… and \d+ more AMI groups?\./);
    expect(actions(blocks)?.elements).toHaveLength(3);
  });

  it('a closed review keeps its report, loses its buttons and says who closed it', () => {
    const reviewed = reviewMessage(
      sampleReview({ status: 'reviewed', reviewed: { by: 'U0APPR001', at: new Date('2026-10-02T08:14:00Z') } }),
    );
    expect(actions(reviewed.blocks)).toBeUndefined();
    expect(textOf(reviewed.blocks)).toContain('Marked reviewed by <@U0APPR001> on Fri 2 Oct 2026, 10:14 CEST');
    expect(textOf(reviewed.blocks)).toContain('Hardware tiers by AMI');

    const baked = reviewMessage(
      sampleReview({
        status: 'bake-started',
        bake: { by: 'U0ADMIN01', at: new Date('2026-10-02T08:00:00Z'), bakeId: 'bake-20261002-abcd' },
      }),
    );
    expect(actions(baked.blocks)).toBeUndefined();
    expect(textOf(baked.blocks)).toContain('<@U0ADMIN01> started bake `bake-20261002-abcd` from this review');

    const old = reviewMessage(sampleReview({ status: 'superseded', supersededBy: 'review-acme-20270101T080000Z' }));
    expect(actions(old.blocks)).toBeUndefined();
    expect(textOf(old.blocks)).toContain('Superseded by a newer review');
  });

  it('states a snooze and the end of the reminders', () => {
    const at = new Date('2026-10-03T07:00:00Z');
    const snoozed = reviewMessage(
      sampleReview({
        snoozed: { by: 'U0ADMIN01', at, until: new Date('2026-10-10T07:00:00Z') },
        nextReminderAt: new Date('2026-10-10T07:00:00Z'),
      }),
    );
    expect(textOf(snoozed.blocks)).toContain(
      "Snoozed by <@U0ADMIN01>. If nobody marks this reviewed or starts a bake, I'll remind this channel on Sat 10 Oct 2026, 09:00 CEST",
    );
    const done = reviewMessage(sampleReview({ followUps: 3, nextReminderAt: undefined }));
    expect(textOf(done.blocks)).toContain('No more reminders are planned for this review.');
  });

  it('a reminder is short, links the report and has the same buttons while open', () => {
    const review = sampleReview({ followUps: 1, nextReminderAt: new Date('2026-10-15T07:00:00Z') });
    const { text, blocks } = reviewReminderMessage(review, 1, 'https://fake.slack.test/archives/C0OPS00001/p1');
    expect(text).toBe(
      ':bell: Reminder 1: the AMI review of *acme* (opened Thu 1 Oct 2026, 09:00 CEST) is still open. See <https://fake.slack.test/archives/C0OPS00001/p1|the report>.',
    );
    expect(actions(blocks)?.elements.map((b) => b.value)).toEqual(Array(3).fill(review._id));
    expect(textOf(blocks)).toContain('(reminder 2 of 3)');
    expect(blockKitErrors(blocks)).toEqual([]);
    const closed = reviewReminderMessage(
      { ...review, status: 'reviewed', reviewed: { by: 'U1', at: new Date() } },
      1,
      undefined,
    );
    expect(actions(closed.blocks)).toBeUndefined();
    expect(closed.text).toContain('is closed');
  });
});
