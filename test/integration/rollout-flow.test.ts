import type { Document } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../../src/rollout/change-record.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { useTestDatabase } from '../support/mongo.js';
import { allText } from '../support/rollout-fixtures.js';
import { ADMIN, AMI, APPROVERS, OPS, type RolloutRig, startRolloutRig, succeededBake } from '../support/rollout-rig.js';

const domino = useTestDatabase('domino');
const HOUR = 3_600_000;
const SMALL = '64f1c0de5a1b2c3d4e5f0001';
const LARGE = '64f1c0de5a1b2c3d4e5f0003';
const XLARGE = '64f1c0de5a1b2c3d4e5f0004';

const changeIdFrom = (text: string) => /chg-\d{8}-[a-z0-9]{4}/.exec(text)?.[0] ?? '';

async function plan(rig: RolloutRig, extra: { at?: string } = {}): Promise<ChangeRecord> {
  const reply = await rig.rollout.useCases.planRollout({
    userId: ADMIN,
    channelId: OPS,
    target: 'bake-20261128-k3m9',
    ...extra,
  });
  const change = await rig.store.changes.get(changeIdFrom(reply.text));
  if (!change) throw new Error(`no change in: ${reply.text}`);
  return change;
}

const approve = (rig: RolloutRig, changeId: string, userId = APPROVERS[0]!) =>
  rig.rollout.useCases.decideChange({ userId, changeId, decision: 'approve' });

const images = (tiers: Map<string, Document>) =>
  Object.fromEntries([...tiers].map(([id, doc]) => [id, doc.executorImage as string]));

describe('rollout on FerretDB: plan → approve → apply → verify → revert', () => {
  let rig: RolloutRig;
  beforeEach(async () => {
    rig = await startRolloutRig({ domino: domino.db });
    await succeededBake(rig);
  });
  afterEach(async () => {
    await rig.close();
  });

  it('classifies every tier and stores the snapshot before anything is written', async () => {
    const before = await rig.readTiers();
    const change = await plan(rig);
    expect(change.updates.map((u) => u.label).sort()).toEqual(['Large', 'Medium', 'Small', 'XLarge']);
    expect(Object.fromEntries(change.skipped.map((s) => [s.id, s.reason]))).toEqual({
      gpu: 'special',
      'pinned-legacy': 'pinned',
    });
    expect(change.unchanged).toEqual([{ id: 'test-tier', label: 'AMI test tier' }]);
    expect(change.snapshot).toHaveLength(7);
    expect(Object.fromEntries(change.snapshot.map((t) => [t.id, t.executorImage]))).toEqual(images(before));
    expect(change.snapshot.find((t) => t.id === SMALL)?.idType).toBe('objectId');
    expect(await rig.readTiers()).toEqual(before);
    // Posted in the bake's thread, with Approve/Reject.
    const post = rig.chat.posts.find((p) => p.ts === change.message?.ts);
    expect(post?.threadTs).toBe('1690000000.000100');
    expect(JSON.stringify(post?.blocks)).toContain(ACTION_IDS.approve);
  });

  it('one Approve click that applies now reads the change 5 times and edits its message twice (applying, result)', async () => {
    const change = await plan(rig);
    const changes = rig.store.changes;
    let reads = 0;
    const get = changes.get.bind(changes);
    changes.get = async (id) => {
      reads++;
      return get(id);
    };
    const editsBefore = rig.chat.updates.filter((u) => u.ts === change.message?.ts).length;
    expect((await approve(rig, change._id)).text).toContain('applying now');
    await rig.tasks.idle();
    changes.get = get;
    // The click's read, the decision's guard, the apply claim's guard, the claimed change and the drain listing
    // that follows the apply (its own use case, by id); nothing is read again to show what was just written.
    expect(reads).toBe(5);
    const edits = rig.chat.updates.filter((u) => u.ts === change.message?.ts).slice(editsBefore);
    expect(edits).toHaveLength(2);
    expect(allText(edits[0]!)).toContain('Applying');
    expect((await get(change._id))?.status).toBe('applied');
  });

  it('applies exactly the standard tiers, reports an edit made since the plan as a conflict, and verifies', async () => {
    const before = await rig.readTiers();
    const change = await plan(rig);
    await domino.db
      .collection(rig.tierCollection)
      .updateOne({ _id: before.get(XLARGE)?._id }, { $set: { executorImage: 'ami-0ed1ted0ed1ted0ed' } });
    const reply = await approve(rig, change._id);
    expect(reply.text).toContain('applying now');
    await rig.tasks.idle();
    const after = await rig.readTiers();
    for (const [id, doc] of before) {
      const expected =
        id === XLARGE
          ? { ...doc, executorImage: 'ami-0ed1ted0ed1ted0ed' }
          : ['medium', SMALL, LARGE].includes(id)
            ? { ...doc, executorImage: AMI.new }
            : doc;
      expect(after.get(id), id).toEqual(expected);
    }
    const done = await rig.store.changes.get(change._id);
    expect(done?.status).toBe('applied');
    // Tier keys (type:id): an ObjectId and a string _id with the same hex are two tiers.
    const keys = [`objectId:${LARGE}`, `objectId:${SMALL}`, 'string:medium'].sort();
    expect(done?.result?.applied.sort()).toEqual(keys);
    expect(done?.result?.verified.sort()).toEqual(keys);
    expect(done?.result?.conflicts).toEqual([
      { id: XLARGE, label: 'XLarge', expected: AMI.old1, found: 'ami-0ed1ted0ed1ted0ed' },
    ]);
    const thread = rig.chat.posts
      .filter((p) => p.threadTs === '1690000000.000100')
      .map((p) => allText(p))
      .join('\n');
    expect(thread).toContain('3 tiers changed, 3/4 verified');
    expect(thread).toContain(`expected ${AMI.old1}, found ami-0ed1ted0ed1ted0ed`);
    expect(allText(rig.chat.latest(change.message!.ts)!)).toContain('*Applied*');
    const audit = (await rig.store.audit.listRecent(20)).map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['change.planned', 'change.approved', 'change.applied']));
    // A second apply (double click, retried delivery, another replica) finds nothing to do.
    expect(await rig.rollout.applyChange(change._id, APPROVERS[1]!)).toBeUndefined();
    expect(await rig.readTiers()).toEqual(after);
  });

  it('reverts every applied tier to exactly its recorded value, through the same approval', async () => {
    const original = await rig.readTiers();
    const change = await plan(rig);
    await approve(rig, change._id);
    await rig.tasks.idle();
    // Someone moves Medium by hand after the apply: the revert must leave it alone.
    await domino.db
      .collection(rig.tierCollection)
      .updateOne({ _id: 'medium' } as Document, { $set: { executorImage: 'ami-0ed1ted0ed1ted0ed' } });
    const reply = await rig.rollout.useCases.revertChange({ userId: ADMIN, channelId: OPS, changeId: change._id });
    const revert = await rig.store.changes.get(changeIdFrom(reply.text));
    expect(revert?.kind).toBe('revert');
    expect(revert?.updates.map((u) => [u.id, u.from, u.to]).sort()).toEqual(
      [
        [SMALL, AMI.new, AMI.old1],
        [LARGE, AMI.new, AMI.old2],
        [XLARGE, AMI.new, AMI.old1],
      ].sort(),
    );
    expect(revert?.skipped.map((s) => [s.id, s.reason])).toEqual([['medium', 'changed-since']]);
    expect(await rig.readTiers()).not.toEqual(original);
    await approve(rig, revert!._id, APPROVERS[1]);
    await rig.tasks.idle();
    const restored = await rig.readTiers();
    for (const [id, doc] of original) {
      expect(restored.get(id), id).toEqual(id === 'medium' ? { ...doc, executorImage: 'ami-0ed1ted0ed1ted0ed' } : doc);
    }
    expect((await rig.store.changes.get(revert!._id))?.status).toBe('applied');
  });

  it("refuses the requester's own approval, a non-approver and a click after the deadline; nothing changes", async () => {
    const before = await rig.readTiers();
    const change = await plan(rig);
    expect((await approve(rig, change._id, ADMIN)).text).toContain('two-person rule');
    rig.config.admins.push('U0STRANGER');
    expect((await approve(rig, change._id, 'U0STRANGER')).text).toContain('Only approvers');
    expect((await rig.store.changes.get(change._id))?.status).toBe('pending');
    // The announcement ends long before the deadline: let it, or the expiry's cancellation notice would wait on
    // the manual clock for it (a pass every 5 s until the announcement is stored), which nothing moves on.
    await rig.tasks.idle();
    await rig.clock.advance(25 * HOUR);
    const late = await approve(rig, change._id);
    expect(late.text).toContain('expired');
    await rig.tasks.idle();
    expect((await rig.store.changes.get(change._id))?.status).toBe('expired');
    expect(await rig.readTiers()).toEqual(before);
    const message = rig.chat.latest(change.message!.ts)!;
    expect(allText(message)).toContain('Expired');
    expect(JSON.stringify(message.blocks)).not.toContain(ACTION_IDS.approve);
    expect((await approve(rig, change._id, APPROVERS[1])).text).toContain('expired');
  });

  it('lets the requester approve their own change when the two-person rule is off', async () => {
    rig.config.twoPersonRule = false;
    rig.config.approvers.users.push(ADMIN);
    const change = await plan(rig);
    expect((await approve(rig, change._id, ADMIN)).text).toContain('applying now');
    await rig.tasks.idle();
    expect((await rig.store.changes.get(change._id))?.status).toBe('applied');
  });

  it('waits for the maintenance window, reminds once an hour before, then applies', async () => {
    const change = await plan(rig, { at: '2026-11-29 02:00' });
    expect(change.applyAt?.toISOString()).toBe('2026-11-29T02:00:00.000Z');
    expect((await approve(rig, change._id)).text).toContain('maintenance window');
    await rig.tasks.idle();
    await rig.rollout.scheduler.tick();
    expect((await rig.store.changes.get(change._id))?.status).toBe('approved');
    await rig.clock.advance(16 * HOUR + 5 * 60_000); // 01:05, within the hour before
    await rig.rollout.scheduler.tick();
    await rig.rollout.scheduler.tick();
    const reminders = rig.chat.posts.filter((p) => p.text.startsWith('Reminder'));
    expect(reminders.map((p) => p.channel).sort()).toEqual(['C0ANNOUNCE', OPS].sort());
    expect((await rig.store.changes.get(change._id))?.status).toBe('approved');
    await rig.clock.advance(HOUR);
    await rig.rollout.scheduler.tick();
    await rig.tasks.idle();
    expect((await rig.store.changes.get(change._id))?.status).toBe('applied');
    expect((await rig.readTiers()).get(SMALL)?.executorImage).toBe(AMI.new);
  });

  it('an approval without a window is never reminded of: the scan applies it if its own apply did not start', async () => {
    const change = await plan(rig);
    // Decided, but the approver's process died before its apply claimed the change.
    await rig.store.changes.decide(change._id, { outcome: 'approved', by: APPROVERS[0]!, at: rig.clock.now() });
    await rig.rollout.scheduler.tick();
    expect((await rig.store.changes.get(change._id))?.status).toBe('approved');
    expect(rig.chat.posts.filter((p) => p.text.startsWith('Reminder'))).toEqual([]);
    await rig.clock.advance(61_000);
    await rig.rollout.scheduler.tick();
    await rig.tasks.idle();
    expect((await rig.store.changes.get(change._id))?.status).toBe('applied');
    expect(rig.chat.posts.filter((p) => p.text.startsWith('Reminder'))).toEqual([]);
  });

  it('takes over an apply whose process died, and applies once', async () => {
    const change = await plan(rig);
    await rig.store.changes.decide(change._id, { outcome: 'approved', by: APPROVERS[0]!, at: rig.clock.now() });
    // Another replica claimed the apply and died before writing anything.
    expect(await rig.store.changes.claimApply(change._id, 'dead-replica', rig.clock.now(), new Date(0))).toBe(true);
    await rig.rollout.scheduler.tick();
    expect((await rig.store.changes.get(change._id))?.status).toBe('applying');
    await rig.clock.advance(11 * 60_000);
    await Promise.all([rig.rollout.scheduler.tick(), rig.rollout.scheduler.tick()]);
    const done = await rig.store.changes.get(change._id);
    expect(done?.status).toBe('applied');
    expect(done?.apply?.attempt).toBe(2);
    expect(done?.result?.applied).toHaveLength(4);
    expect((await rig.store.audit.listRecent(50)).filter((e) => e.action === 'change.applied')).toHaveLength(1);
  });

  it('expires a pending change on the scheduler and updates its message', async () => {
    const change = await plan(rig);
    await rig.clock.advance(24 * HOUR);
    await rig.rollout.scheduler.tick();
    expect((await rig.store.changes.get(change._id))?.status).toBe('expired');
    expect(allText(rig.chat.latest(change.message!.ts)!)).toContain('Expired');
    expect((await rig.store.audit.listRecent(5)).map((e) => e.action)).toContain('change.expired');
  });
});
