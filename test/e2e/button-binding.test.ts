// Buttons are bound to their object: a click whose payload names another workspace, another channel or a message
// other than the one the bot posted for that object is refused with an ephemeral answer, and nothing changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import type { ChangeRecord } from '../../src/rollout/change-record.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { type Harness, OPS } from '../support/bot-harness.js';
import {
  APPROVERS,
  bake,
  latestChange,
  recordProvenTest,
  rolloutHarness,
  tierImages,
} from '../support/rollout-harness.js';

const APPROVER = APPROVERS[7]!;
const OTHER_TS = '1699999999.000042';

describe('buttons bound to their object (signed block_actions into the real app)', () => {
  let h: Harness;
  let baked: BakeRecord;
  let change: ChangeRecord;
  let tiersBefore: Record<string, unknown>;

  beforeAll(async () => {
    h = await rolloutHarness();
    baked = await bake(h);
    await recordProvenTest(h, baked.facts.imageId!, { bakeId: baked._id }); // the rollout gate: a tested AMI
    await h.click(ACTION_IDS.planRollout, baked._id, { responseId: 'plan' });
    expect(await h.answer('plan')).toMatch(/^Planned chg-/);
    change = await latestChange(h, 'rollout');
    await h.bot.rollout.idle();
    tiersBefore = tierImages(h);
  }, 60_000);
  afterAll(async () => {
    await h.close();
  });

  const untouched = async () => {
    const now = await h.store.changes.get(change._id);
    expect(now?.status).toBe('pending');
    expect(now?.decision).toBeUndefined();
    expect(tierImages(h)).toEqual(tiersBefore);
  };

  it('an Approve naming another workspace is refused; nothing is decided', async () => {
    await h.click(ACTION_IDS.approve, change._id, { userId: APPROVER, teamId: 'T0EVIL', responseId: 'team' });
    expect(await h.answer('team')).toBe(':no_entry: That button belongs to another Slack workspace; nothing was done.');
    await untouched();
  });

  it('an Approve from a channel that is not an ops channel is refused', async () => {
    await h.click(ACTION_IDS.approve, change._id, { userId: APPROVER, channelId: 'C0FOREIGN1', responseId: 'chan' });
    expect(await h.answer('chan')).toContain("ami-bot's buttons only work in its ops channel(s)");
    expect(await h.answer('chan')).toContain('Nothing was done.');
    await untouched();
  });

  it('Approve and Reject from another message in the ops channel are refused', async () => {
    for (const [actionId, id] of [
      [ACTION_IDS.approve, 'msg-approve'],
      [ACTION_IDS.reject, 'msg-reject'],
    ] as const) {
      await h.click(actionId, change._id, { userId: APPROVER, messageTs: OTHER_TS, responseId: id });
      expect(await h.answer(id)).toContain(`That button is not on ${change._id}'s own message`);
      expect(await h.answer(id)).toContain('nothing was done');
    }
    // The bake's root message is a message of the bot's too, but not this change's.
    await h.click(ACTION_IDS.approve, change._id, { userId: APPROVER, messageTs: baked.rootTs!, responseId: 'root' });
    expect(await h.answer('root')).toContain('not on');
    await untouched();
  });

  it('Cancel on another message than the bake’s is refused before anything else', async () => {
    await h.click(ACTION_IDS.cancelBake, baked._id, { messageTs: OTHER_TS, responseId: 'cancel' });
    expect(await h.answer('cancel')).toContain(`not on bake ${baked._id}'s own message`);
    expect((await h.store.bakes.get(baked._id))?.cancelRequested).toBeUndefined();
  });

  it('Test and Plan rollout from another message than the bake’s thread are refused: no test, no change', async () => {
    const changesBefore = (await h.store.changes.listRecent(10)).length;
    const testsBefore = (await h.store.amiTests.listRecent(10)).length; // the gate's recorded pass
    await h.click(ACTION_IDS.planRollout, baked._id, { messageTs: OTHER_TS, responseId: 'plan-other' });
    expect(await h.answer('plan-other')).toContain(`not on bake ${baked._id}'s own message`);
    await h.click(ACTION_IDS.testAmi, baked._id, { messageTs: OTHER_TS, responseId: 'test-other' });
    expect(await h.answer('test-other')).toContain(`not on bake ${baked._id}'s own message`);
    expect(await h.store.amiTests.listRecent(10)).toHaveLength(testsBefore);
    expect(await h.store.changes.listRecent(10)).toHaveLength(changesBefore);
  });

  it('Test and Plan rollout whose value is an AMI id (a value our buttons never carry) are refused: no test, no change', async () => {
    // Only a bake id binds the click to a message (the bake's thread); with an AMI id nothing was checked.
    const changesBefore = (await h.store.changes.listRecent(10)).length;
    const testsBefore = (await h.store.amiTests.listRecent(10)).length;
    for (const [actionId, id] of [
      [ACTION_IDS.testAmi, 'test-ami-value'],
      [ACTION_IDS.planRollout, 'plan-ami-value'],
    ] as const) {
      await h.click(actionId, baked.facts.imageId!, { messageTs: baked.rootTs!, responseId: id });
      expect(await h.answer(id)).toContain('That button does not name a bake');
      expect(await h.answer(id)).toContain('nothing was done');
    }
    expect(await h.store.amiTests.listRecent(10)).toHaveLength(testsBefore);
    expect(await h.store.changes.listRecent(10)).toHaveLength(changesBefore);
  });

  it('Cancel test from another message than the test’s is refused; the test is not cancelled', async () => {
    await h.click(ACTION_IDS.testAmi, baked._id, { responseId: 'test-own' });
    const started = await h.answer('test-own');
    expect(started).toMatch(/^Test test-/);
    // By the id it answered: the gate's recorded pass is in the store too.
    const test = await h.store.amiTests.get(/test-\d{8}-[a-z0-9]{4}/.exec(started)?.[0] ?? '');
    await h.click(ACTION_IDS.cancelTest, test!._id, { messageTs: OTHER_TS, responseId: 'cancel-test' });
    expect(await h.answer('cancel-test')).toContain(`not on test ${test!._id}'s own message`);
    expect((await h.store.amiTests.get(test!._id))?.cancelRequested).toBeUndefined();
    await h.bot.rollout.idle();
  });

  it('the genuine click (the change’s own message, ops channel, our workspace) still approves and applies', async () => {
    await h.click(ACTION_IDS.approve, change._id, { userId: APPROVER, responseId: 'genuine' });
    expect(await h.answer('genuine')).toMatch(/^You approved/);
    await h.bot.rollout.idle();
    expect((await h.store.changes.get(change._id))?.status).toBe('applied');
  });
});

describe('review buttons bound to the review’s messages', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await rolloutHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('Mark reviewed from another message is refused; from the review’s own message it works', async () => {
    await h.slash('review', { responseId: 'rv' });
    expect(await h.answer('rv')).toContain(`Posted the AMI review of acme in <#${OPS}>`);
    const [review] = await h.store.reviews.listOpen('acme');
    const reviewId = review!._id;
    await h.click(ACTION_IDS.reviewDone, reviewId, { messageTs: OTHER_TS, responseId: 'rv-other' });
    expect(await h.answer('rv-other')).toContain("the AMI review of acme's own message");
    expect((await h.store.reviews.get(reviewId))?.status).toBe('open');
    await h.click(ACTION_IDS.reviewDone, reviewId, { responseId: 'rv-own' });
    expect(await h.answer('rv-own')).toContain('Marked the AMI review of acme reviewed');
    expect((await h.store.reviews.get(reviewId))?.status).toBe('reviewed');
  });
});
