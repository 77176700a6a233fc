import { describe, expect, it } from 'vitest';
import type { DeploymentKind } from '../../src/config.js';
import type { Block } from '../../src/ports/chat.js';
import type { ChangeRecord, DrainInstance } from '../../src/rollout/change-record.js';
import { targetNoun, targetNounOf } from '../../src/shared/target-noun.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { announcementMessage, userNoticeMessage } from '../../src/slack/blocks/announce-message.js';
import { applyResultMessage } from '../../src/slack/blocks/apply-result-message.js';
import { fullListMessages } from '../../src/slack/blocks/change-full-list.js';
import { changeMessage } from '../../src/slack/blocks/change-message.js';
import { historyMessage } from '../../src/slack/blocks/history-message.js';
import { homeView } from '../../src/slack/blocks/home-view.js';
import { testMessage } from '../../src/slack/blocks/test-message.js';
import {
  allText,
  blockKitProblems,
  NEW_AMI,
  OLD_AMI,
  sampleChange,
  sampleTest,
  T0,
  tierUpdates,
} from '../support/rollout-fixtures.js';

const opts = { timeZone: 'Europe/Berlin' };
const actions = (message: { blocks: readonly Block[] }) =>
  message.blocks.flatMap((b) =>
    b.type === 'actions' ? (b.elements as unknown as Array<Record<string, unknown>>) : [],
  );

describe('changeMessage', () => {
  it('shows a pending plan with Approve and Reject buttons, each behind a confirm dialog', () => {
    const change = sampleChange({
      skipped: [{ id: 'gpu', label: 'GPU', executorImage: 'ami-0ddd', reason: 'special', detail: 'custom <b> AMI' }],
      unchanged: [{ id: 'test-tier', label: 'AMI test tier' }],
    });
    const message = changeMessage(change, T0, opts);
    expect(blockKitProblems(message)).toEqual([]);
    const buttons = actions(message);
    expect(buttons.map((b) => b.action_id)).toEqual([ACTION_IDS.approve, ACTION_IDS.reject]);
    expect(buttons.every((b) => b.value === change._id && b.confirm)).toBe(true);
    const text = allText(message);
    expect(text).toContain('Will change (3)');
    expect(text).toContain('custom &lt;b&gt; AMI');
    expect(text).toContain('Already on the target (1)');
    expect(text).toContain(`/ami revert ${change._id}`);
  });

  it('reads "expired" without buttons once the deadline has passed', () => {
    const change = sampleChange();
    const message = changeMessage(change, new Date(change.deadline.getTime() + 1), opts);
    expect(actions(message)).toEqual([]);
    expect(allText(message)).toContain('Expired');
    expect(message.text).toContain('expired');
  });

  it('shows who decided and when instead of buttons', () => {
    const at = new Date(T0.getTime() + 60_000);
    const change = sampleChange({ status: 'approved', decision: { outcome: 'approved', by: 'U0APPR001', at } });
    const message = changeMessage(change, at, opts);
    expect(actions(message)).toEqual([]);
    expect(allText(message)).toContain('*Approved* by <@U0APPR001>');
    expect(allText(message)).toContain(`<!date^${Math.floor(at.getTime() / 1000)}^`);
  });

  it('keeps a plan of 200 tiers within Block Kit limits and says the full list follows', () => {
    const change = sampleChange({
      updates: tierUpdates(200),
      skipped: tierUpdates(60).map((t) => ({
        ...t,
        reason: 'special' as const,
        detail: 'custom AMI from the ML team',
      })),
      unchanged: tierUpdates(80).map(({ id, label }) => ({ id, label })),
    });
    const message = changeMessage(change, T0, opts);
    expect(blockKitProblems(message)).toEqual([]);
    const text = allText(message);
    expect(text).toMatch(/…and \d+ more/);
    expect(text).toContain('the full list follows');
    // The overflow is data the caller acts on, not a sentence to search for.
    expect(message.overflow).toBe(true);
    expect(changeMessage(sampleChange({ updates: tierUpdates(3) }), T0, opts).overflow).toBe(false);
    const full = fullListMessages(change);
    for (const part of full) expect(blockKitProblems(part)).toEqual([]);
    const fullText = full.map(allText).join('\n');
    for (const tier of change.updates) expect(fullText).toContain(`\`${tier.id}\``);
  });

  it('offers a drain as "Terminate N stopped executors" and lists running ones for Maintenance Mode', () => {
    const instance = (id: string, state: string): DrainInstance => ({
      id,
      tierId: 'large',
      imageId: OLD_AMI,
      state,
      name: 'acme-executor-large',
    });
    const change = sampleChange({
      kind: 'drain',
      updates: [],
      snapshot: [],
      drainOf: 'chg-20261128-aaaa',
      drain: {
        targets: { large: NEW_AMI },
        stopped: [instance('i-0s1', 'stopped')],
        running: [instance('i-0r1', 'running')],
      },
    });
    const message = changeMessage(change, T0, opts);
    const [terminate] = actions(message);
    expect(terminate?.action_id).toBe(ACTION_IDS.drainTerminate);
    expect(JSON.stringify(terminate?.text)).toContain('Terminate 1 stopped executor');
    expect(allText(message)).toContain('Maintenance Mode');
    expect(allText(message)).toContain('i-0r1');
  });
});

describe('applyResultMessage', () => {
  it('reports applied, conflicts with expected and found AMIs, and verification', () => {
    const change = sampleChange({
      status: 'applied',
      result: {
        status: 'applied',
        at: T0,
        applied: ['tier-000', 'tier-001'],
        conflicts: [{ id: 'tier-002', label: 'Edited', expected: OLD_AMI, found: 'ami-0hand0edited0000' }],
        verified: ['tier-000', 'tier-001'],
        unverified: [],
      },
    });
    const message = applyResultMessage(change);
    const text = allText(message);
    expect(text).toContain('2 tiers changed, 2/3 verified');
    expect(text).toContain(`expected ${OLD_AMI}, found ami-0hand0edited0000`);
    expect(blockKitProblems(message)).toEqual([]);
  });
});

describe('applyResultMessage after a failure', () => {
  const failed = { status: 'failed' as const, at: T0, applied: [], conflicts: [], verified: [], unverified: [] };
  it('a failed drain says to drain again, not to plan a rollout', () => {
    const drain = sampleChange({
      kind: 'drain',
      drainOf: 'chg-20261202-aaaa',
      status: 'failed',
      result: { ...failed, error: 'chg-20261202-bbbb (revert) was applied after this drain was listed' },
    });
    const text = allText(applyResultMessage(drain));
    expect(text).not.toContain('/ami plan');
    expect(text).toContain('`/ami drain <change-id>`');
  });
  it('a failed revert says to revert again; a failed rollout to plan again', () => {
    const revert = sampleChange({ kind: 'revert', revertOf: 'chg-20261202-aaaa', status: 'failed', result: failed });
    expect(allText(applyResultMessage(revert))).toContain('`/ami revert chg-20261202-aaaa`');
    expect(allText(applyResultMessage(revert))).not.toContain('/ami plan');
    expect(allText(applyResultMessage(sampleChange({ status: 'failed', result: failed })))).toContain('`/ami plan`');
  });
});

describe('announcements', () => {
  it('tells the channel which tiers change, when and why, and each user their own tiers', () => {
    const change = sampleChange({ applyAt: new Date('2026-12-01T01:00:00Z') });
    const post = allText(announcementMessage(change, 'Europe/Berlin'));
    expect(post).toContain('Hardware tier number 0');
    expect(post).toContain('2026-12-01 02:00 Europe/Berlin');
    expect(post).toContain('Pulling');
    const dm = allText(userNoticeMessage(change, ['Small', 'Large'], 'UTC'));
    expect(dm).toContain('*Small*, *Large*');
    expect(dm).toContain(change._id);
  });

  it('a revert restores an image rather than bringing a new one', () => {
    const revert = allText(announcementMessage(sampleChange({ kind: 'revert', revertOf: 'chg-20261202-aaaa' }), 'UTC'));
    expect(revert).toContain('boot executors from the restored image');
    expect(revert).not.toContain('the new image');
    expect(allText(announcementMessage(sampleChange(), 'UTC'))).toContain('boot executors from the new image');
  });
});

describe('testMessage', () => {
  it('shows seconds per state, the verdict, the previous AMI and a stale-executor warning', () => {
    const previous = sampleTest({
      amiId: OLD_AMI,
      status: 'failed',
      seconds: { Queued: 150, Pulling: 92 },
      toRunningSeconds: 260,
    });
    const test = sampleTest({
      status: 'passed',
      seconds: { Queued: 152, Pulling: 1, Preparing: 14, Running: 0 },
      statesSeen: ['Queued', 'Pulling', 'Preparing', 'Running'],
      toRunningSeconds: 167,
      reason: 'Pulling took 1 s',
      staleExecutors: [{ id: 'i-0old', imageId: OLD_AMI, state: 'stopped' }],
    });
    const message = testMessage(test, previous);
    const text = allText(message);
    expect(text).toContain('Queued 2 min 32 s · Pulling 1 s · Preparing 14 s');
    expect(text).toContain('Start to Running*: 2 min 47 s');
    expect(text).toContain(`the last test of another AMI, ${OLD_AMI}`);
    expect(text).toContain('Pulling 1 min 32 s');
    expect(text).toContain('may not prove anything');
    expect(actions(message)).toEqual([]);
    expect(actions(testMessage(sampleTest(), undefined)).map((b) => b.action_id)).toEqual([ACTION_IDS.cancelTest]);
  });

  it('calls an EKS test target a test node group, and the machine that ran the job a node', () => {
    const tierTest = allText(testMessage(sampleTest(), undefined));
    expect(tierTest).toContain('*Test tier*');
    expect(tierTest).toContain('on an executor booted from the AMI');
    const running = sampleTest({
      tierId: 'test-us-west-2a',
      tierLabel: 'test-us-west-2a (pool test)',
      hardwareTierId: 'test-pool',
    });
    const restored = {
      ...running,
      status: 'passed' as const,
      restore: { at: new Date(), outcome: 'restored' as const, detail: `back on ${OLD_AMI}` },
    };
    for (const message of [testMessage(running, undefined), testMessage(restored, undefined)]) {
      const text = allText(message);
      expect(text).toContain('*Test node group*');
      expect(text).toContain('on a node booted from the AMI');
      expect(text).not.toMatch(/test tier|an executor/i);
    }
    expect(allText(testMessage(running, undefined))).toContain(`The test node group goes back to`);
    expect(allText(testMessage(restored, undefined))).toContain(`Test node group back on ${OLD_AMI}.`);
  });
});

describe('historyMessage', () => {
  it('lists who did what and when, with before and after, newest first', () => {
    const message = historyMessage(
      [
        {
          _id: '2',
          at: new Date('2026-11-28T11:00:00Z'),
          actor: 'U0APPR001',
          action: 'change.applied',
          deployment: 'acme',
          changeId: 'chg-20261128-aaaa',
          summary: '2 changed',
          before: { small: OLD_AMI },
          after: { small: NEW_AMI },
        },
        { _id: '1', at: T0, actor: 'ami-bot', action: 'change.expired', deployment: 'acme', summary: 'nothing' },
      ],
      'UTC',
    );
    const text = allText(message);
    expect(text.indexOf('change.applied')).toBeLessThan(text.indexOf('change.expired'));
    expect(text).toContain(`small: ${OLD_AMI} → ${NEW_AMI}`);
    expect(text).toContain('<@U0APPR001>');
    expect(historyMessage([], 'UTC').text).toContain('No rollout history');
  });
});

describe('the words of an eks-node-groups deployment', () => {
  const eks = targetNoun('eks-node-groups');
  const nodegroupChange = (overrides: Partial<ChangeRecord> = {}) =>
    sampleChange({
      updates: ['compute-us-west-2a', 'compute-us-west-2b'].map((name, i) => ({
        id: name,
        key: `nodegroup:acme/${name}`,
        label: `${name} (pool compute)`,
        executorImage: OLD_AMI,
        guard: `lt-0abc${i}:1`,
        from: OLD_AMI,
        to: NEW_AMI,
      })),
      ...overrides,
    });
  const noTier = (words: string) => expect(words).not.toMatch(/\btiers?\b|executor image/i);

  it('names node groups and the node image in the plan, the apply result and the announcement', () => {
    const at = new Date(T0.getTime() + 60_000);
    const pending = changeMessage(nodegroupChange(), T0, { ...opts, noun: eks });
    expect(blockKitProblems(pending)).toEqual([]);
    const pendingText = allText(pending);
    expect(pendingText).toContain("Every node group's current AMI");
    expect(pendingText).toContain('Sets 2 node groups to the planned AMI');
    noTier(pendingText);
    const result = {
      status: 'applied' as const,
      at,
      applied: ['a', 'b'],
      conflicts: [],
      verified: ['a', 'b'],
      unverified: [],
    };
    const applied = changeMessage(nodegroupChange({ status: 'applied', result }), at, { ...opts, noun: eks });
    expect(allText(applied)).toContain('2 node groups changed');
    const reply = applyResultMessage(nodegroupChange({ status: 'applied', result }), eks);
    expect(reply.text).toContain('2 node group(s) changed');
    expect(allText(reply)).toContain('EKS replaced the nodes of each updated node group');
    noTier(allText(reply));
    const announcement = announcementMessage(nodegroupChange(), 'UTC', eks);
    expect(announcement.text).toContain('Upcoming change of node groups on acme: 2 node groups');
    expect(allText(announcement)).toContain('*Node image change on acme*');
    expect(allText(announcement)).toContain('*Node groups (2)*');
    expect(allText(announcement)).toContain('work still running on a node is stopped when the node is replaced');
    noTier(allText(announcement));
    const revert = announcementMessage(nodegroupChange({ kind: 'revert', revertOf: 'chg-20261128-aaaa' }), 'UTC', eks);
    expect(allText(revert)).toContain('restores the node image these node groups had before');
  });

  it('keeps the words of hardware tiers when no kind is given', () => {
    const tiers = targetNoun();
    expect(tiers).toMatchObject({ many: 'hardware tiers', image: 'executor image' });
    const change = sampleChange();
    expect(changeMessage(change, T0, opts)).toEqual(changeMessage(change, T0, { ...opts, noun: tiers }));
    expect(announcementMessage(change, 'UTC')).toEqual(announcementMessage(change, 'UTC', tiers));
    expect(targetNounOf([{ name: 'acme', kind: 'eks-node-groups' }], 'acme')).toBe(eks);
    expect(targetNounOf([{ name: 'acme', kind: 'eks-node-groups' }], 'gone')).toBe(tiers);
  });

  it('App Home says what this installation rolls out', () => {
    const home = (kinds?: DeploymentKind[]) =>
      JSON.stringify(homeView({ bakes: [], isAdmin: true, now: T0, sandbox: false, ...(kinds ? { kinds } : {}) }));
    expect(home()).toContain('rolls out Domino executor AMIs from');
    expect(home(['eks-node-groups'])).toContain("rolls out the AMIs of Domino's EKS node groups");
    expect(home(['hardware-tiers', 'eks-node-groups'])).toContain(
      'Domino executor AMIs and the AMIs of EKS node groups',
    );
  });
});
