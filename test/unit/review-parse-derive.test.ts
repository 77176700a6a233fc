import { describe, expect, it } from 'vitest';
import { deriveReview, isReviewId, reviewIdForCommand, reviewIdForTick } from '../../src/review/review-record.js';
import { parseCommand } from '../../src/slack/commands/command-table.js';
import { sampleReviewDoc } from '../support/sample-review.js';

const t0 = new Date('2026-10-01T07:00:00Z');
const day = (n: number) => new Date(t0.getTime() + n * 86_400_000);

describe('/ami review parsing', () => {
  it('takes an optional deployment and nothing else', () => {
    expect(parseCommand('review')).toEqual({ kind: 'review' });
    expect(parseCommand('REVIEW acme')).toEqual({ kind: 'review', deployment: 'acme' });
    expect(parseCommand('review acme beta')).toEqual({
      kind: 'invalid',
      message: 'Usage: `/ami review [deployment]`.',
    });
  });
});

describe('review ids', () => {
  it('one id per deployment and tick, to the second; command ids are random; both are recognised', () => {
    expect(reviewIdForTick('acme', t0)).toBe('review-acme-20261001T070000Z');
    expect(reviewIdForTick('acme', new Date('2026-10-01T07:00:01Z'))).toBe('review-acme-20261001T070001Z');
    expect(reviewIdForCommand('acme', t0, () => 0)).toBe('review-acme-20261001T070000Z-aaaa');
    expect(isReviewId(reviewIdForTick('prod-eu-1', t0))).toBe(true);
    expect(isReviewId('review-acme-20261001T070000Z-aaaa')).toBe(true);
    for (const bad of ['', 'bake-20261001-abcd', 'review-Acme-20261001T070000Z', '{"$ne":null}']) {
      expect(isReviewId(bad)).toBe(false);
    }
  });
});

describe('deriveReview (state from insert-once events)', () => {
  const doc = sampleReviewDoc({ createdAt: t0, followUpDays: 7, maxFollowUps: 2 });

  it('a new review is open with its first reminder a followUpDays later', () => {
    const review = deriveReview(doc, []);
    expect(review).toMatchObject({ status: 'open', followUps: 0, snoozes: 0, reminders: [] });
    expect(review.nextReminderAt).toEqual(day(7));
  });

  it('reminders count up to the budget; a later snooze buys one more', () => {
    const reminded = deriveReview(doc, [
      { kind: 'reminder', n: 2, at: day(14) },
      { kind: 'reminder', n: 1, at: day(7) },
      { kind: 'reminder-posted', n: 1, ts: '1.1', at: day(7) },
    ]);
    expect(reminded.followUps).toBe(2);
    expect(reminded.nextReminderAt).toBeUndefined();
    expect(reminded.reminders).toEqual([{ n: 1, ts: '1.1', at: day(7) }]);
    const snoozed = deriveReview(doc, [
      { kind: 'reminder', n: 1, at: day(7) },
      { kind: 'reminder', n: 2, at: day(14) },
      { kind: 'snooze', n: 1, by: 'U1', at: day(15), until: day(22) },
    ]);
    expect(snoozed.nextReminderAt).toEqual(day(22));
    const remindedAfterSnooze = deriveReview(doc, [
      { kind: 'snooze', n: 1, by: 'U1', at: day(1), until: day(8) },
      { kind: 'reminder', n: 1, at: day(8) },
    ]);
    expect(remindedAfterSnooze.nextReminderAt).toEqual(day(15));
  });

  it('close events decide the status; a bake is "starting" until its bake-started event', () => {
    expect(deriveReview(doc, [{ kind: 'close', outcome: 'reviewed', by: 'U1', at: day(1) }])).toMatchObject({
      status: 'reviewed',
      reviewed: { by: 'U1', at: day(1) },
    });
    const starting = deriveReview(doc, [{ kind: 'close', outcome: 'bake', by: 'U2', at: day(1) }]);
    expect(starting.status).toBe('starting-bake');
    expect(starting.nextReminderAt).toBeUndefined();
    const started = deriveReview(doc, [
      { kind: 'close', outcome: 'bake', by: 'U2', at: day(1) },
      { kind: 'bake-started', bakeId: 'bake-20261002-abcd', at: day(1) },
    ]);
    expect(started).toMatchObject({ status: 'bake-started', bake: { by: 'U2', bakeId: 'bake-20261002-abcd' } });
    const superseded = deriveReview(doc, [
      {
        kind: 'close',
        outcome: 'superseded',
        by: 'ami-bot',
        at: day(90),
        supersededBy: 'review-acme-20270101T080000Z',
      },
    ]);
    expect(superseded).toMatchObject({ status: 'superseded', supersededBy: 'review-acme-20270101T080000Z' });
  });
});
