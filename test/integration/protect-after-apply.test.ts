// Protection after an apply (issue 16, "Protection"): the rollout's apply tells its listeners (change-applied.ts),
// the lifecycle protects the AMIs tiers use now and lifts the protection of the one they left, which EC2 (the
// simulator) then holds for its 24-hour cooldown; deprecation only when configured; a failure is said in the
// change's thread and never fails the apply. The real rollout apply on the simulator, a manual clock.
import { describe, expect, it } from 'vitest';
import type { RetentionConfig } from '../../src/config-schema.js';
import { createProtectAfterApply } from '../../src/lifecycle/protect-after-apply.js';
import type { Ec2Port } from '../../src/ports/ec2.js';
import type { ChangeRecord } from '../../src/rollout/change-record.js';
import { createRollout } from '../../src/rollout/create-rollout.js';
import type { RolloutDeps } from '../../src/rollout/rollout-deps.js';
import { unconfiguredDominoApi, unconfiguredTierUsers } from '../../src/rollout/unconfigured-ports.js';
import { createBackgroundTasks } from '../../src/shared/background-tasks.js';
import { createSystemClock } from '../../src/shared/system-clock.js';
import { createRolloutPresenter } from '../../src/slack/rollout-presenter.js';
import { APPROVER, createLifecycleWorld, REQUESTER } from '../support/lifecycle-world.js';
import { createRecordingChat } from '../support/recording-chat.js';
import { allText } from '../support/rollout-fixtures.js';

const DAY = 86_400_000;
const MOVED = ['small-k8s', 'medium'];

function rig(retention: Partial<RetentionConfig>, ec2Override?: (ec2: Ec2Port) => Ec2Port) {
  const w = createLifecycleWorld({ keepLast: 1, keepDays: 0, recentChanges: 1, ...retention }, ec2Override);
  const chat = createRecordingChat();
  const deps: RolloutDeps = {
    config: w.config,
    store: w.store,
    chat,
    presenter: createRolloutPresenter(w.config),
    clock: w.clock,
    wallClock: createSystemClock(),
    logger: w.deps.logger,
    ec2: w.deps.ec2,
    tiers: w.sim.dominoTiers,
    tierUsers: unconfiguredTierUsers(),
    domino: unconfiguredDominoApi(),
    tasks: createBackgroundTasks(w.deps.logger),
    owner: 'test-process',
    onApplied: [createProtectAfterApply(w.deps)],
  };
  const rollout = createRollout(deps);
  let count = 0;

  /** An approved change moving the standard tiers from what they launch now to `to`, applied by the rollout. */
  async function rollOut(to: string): Promise<ChangeRecord> {
    count += 1;
    const now = w.clock.now();
    const tiers = w.world.tiers.filter((t) => MOVED.includes(t.doc._id));
    const snapshot = tiers.map((t) => ({
      id: t.doc._id,
      idType: t.idType,
      label: t.doc._id,
      executorImage: t.doc.executorImage,
    }));
    const change = {
      _id: `chg-20260901-pa0${count}`,
      kind: 'rollout',
      deployment: 'acme',
      requester: REQUESTER,
      createdAt: now,
      deadline: new Date(now.getTime() + DAY),
      targetAmi: to,
      snapshot,
      updates: snapshot.map((s) => ({ ...s, from: s.executorImage, to })),
      skipped: [],
      unchanged: [],
      channel: 'C0OPS00001',
      status: 'pending',
      threadTs: '1690000000.000100',
    } as ChangeRecord;
    expect(await w.store.changes.insert(change)).toBe(true);
    expect(await w.store.changes.decide(change._id, { outcome: 'approved', by: APPROVER, at: now })).toBe(true);
    const done = await rollout.applyChange(change._id, APPROVER);
    expect(done?.status).toBe('applied');
    return done!;
  }
  const thread = () =>
    chat.posts
      .filter((p) => p.threadTs === '1690000000.000100')
      .map((p) => allText(p))
      .join('\n');
  return { ...w, chat, rollOut, thread };
}

describe('protection after an apply', () => {
  it('protects the AMI the tiers now use; the superseded one loses it and EC2 holds it through the cooldown', async () => {
    const r = rig({});
    const first = await r.bake();
    const second = await r.bake();
    await r.rollOut(first);
    expect(r.world.images.get(first)?.protection).toEqual({ cooldown: true });
    expect(r.thread()).toContain(`1 AMI in use protected from deregistration (\`${first}\`)`);

    await r.clock.advance(DAY);
    await r.rollOut(second);
    expect(r.world.images.get(second)?.protection).toEqual({ cooldown: true });
    // `first` is unprotected, but with the cooldown EC2 still refuses its deregistration for 24 hours.
    expect(r.world.images.get(first)?.protection).toBeUndefined();
    expect(r.thread()).toContain(
      `protection lifted from 1 superseded AMI (\`${first}\`), which EC2 still holds for 24 h`,
    );
    await expect(r.sim.ec2.deregisterImage(first)).rejects.toThrow(/deregistration protection/);
    await r.clock.advance(DAY);
    const [listed] = (await r.sim.ec2.listImagesByTags({ 'ami-bot:deployment': 'acme' })).filter((i) => i.id === first);
    expect(listed?.protection).toEqual({ state: 'off' });
    // No deprecation unless configured.
    expect(r.world.images.get(first)?.deprecationMs).toBeUndefined();
  });

  it('is idempotent: a second run changes nothing and says nothing', async () => {
    const r = rig({});
    const first = await r.bake();
    const second = await r.bake();
    await r.rollOut(first);
    const change = await r.rollOut(second);
    const listener = createProtectAfterApply(r.deps);
    expect(await listener.run(change)).toBeUndefined();
    expect(r.world.images.get(second)?.protection).toEqual({ cooldown: true });
    expect(r.world.images.get(first)?.protection).toBeUndefined();
  });

  it('deprecates the superseded AMI when retention.deprecateAfterDays is set, never the one in use', async () => {
    const r = rig({ deprecateAfterDays: 30 });
    const first = await r.bake();
    const second = await r.bake();
    await r.rollOut(first);
    expect(r.world.images.get(first)?.deprecationMs).toBeUndefined();
    await r.rollOut(second);
    expect(r.world.images.get(first)?.deprecationMs).toBe(r.clock.now().getTime() + 30 * DAY);
    expect(r.world.images.get(second)?.deprecationMs).toBeUndefined();
    expect(r.thread()).toContain(`1 superseded AMI deprecated from`);

    // Moved back onto the deprecated AMI (what a revert does): its deprecation is cancelled, the other one's set.
    await r.rollOut(first);
    expect(r.world.images.get(first)?.deprecationMs).toBeUndefined();
    expect(r.world.images.get(second)?.deprecationMs).toBe(r.clock.now().getTime() + 30 * DAY);
    expect(r.thread()).toContain(`deprecation cancelled for 1 AMI back in use (`);
  });

  it('a protection that fails is said in the thread and logged; the apply stays applied', async () => {
    const r = rig({}, (ec2) => ({
      ...ec2,
      enableDeregistrationProtection: async () => {
        throw new Error('UnauthorizedOperation: ec2:EnableImageDeregistrationProtection');
      },
    }));
    const first = await r.bake();
    const done = await r.rollOut(first);
    expect(done.result?.status).toBe('applied');
    expect(r.world.tiers.find((t) => t.doc._id === 'medium')?.doc.executorImage).toBe(first);
    expect(r.thread()).toContain(`AMI protection could not be updated for \`${first}\`: UnauthorizedOperation`);
  });

  it('an inventory that cannot be read is one warning line in the thread, never a failed apply', async () => {
    const r = rig({}, (ec2) => ({
      ...ec2,
      listImagesByTags: async () => {
        throw new Error('RequestLimitExceeded');
      },
    }));
    const first = await r.bake();
    const done = await r.rollOut(first);
    expect(done.result?.status).toBe('applied');
    // Not an AppError: its text stays in the log, the thread says where to look.
    expect(r.thread()).toContain(
      'The apply is done (nothing was undone), but AMI deregistration protection failed after it: Something unexpected went wrong; the details are in the bot logs.',
    );
  });
});
