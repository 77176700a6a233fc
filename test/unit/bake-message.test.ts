import { describe, expect, it } from 'vitest';
import { type BakeRecord, newBakeId } from '../../src/bake/bake-record.js';
import { BAKE_STEPS, newStepTable, stepTitle } from '../../src/bake/bake-steps.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { bakeListMessage } from '../../src/slack/blocks/bake-list.js';
import { bakeRootMessage } from '../../src/slack/blocks/bake-message.js';
import { helpMessage } from '../../src/slack/commands/command-table.js';

const t0 = new Date('2026-11-28T10:00:00Z');

function bake(overrides: Partial<BakeRecord> = {}): BakeRecord {
  return {
    _id: 'bake-20261128-abcd',
    deployment: 'acme',
    requester: 'U0ADMIN1',
    channel: 'C0OPS1',
    rootTs: '1.000100',
    images: ['quay.io/domino/base:1'],
    noReboot: false,
    status: 'running',
    steps: newStepTable(),
    facts: {},
    createdAt: t0,
    updatedAt: t0,
    ...overrides,
  };
}

const allText = (blocks: readonly unknown[]) => JSON.stringify(blocks);

describe('bakeRootMessage', () => {
  it('renders a record written by an older release that lacks a step: that step reads as pending', () => {
    const b = bake({ status: 'succeeded' });
    b.steps.preflight = { state: 'done', startedAt: t0, endedAt: new Date(t0.getTime() + 2000), summary: 'ok' };
    delete b.steps.inventory;
    const { blocks } = bakeRootMessage(b, new Date(t0.getTime() + 65_000), { sandbox: false });
    const json = allText(blocks);
    expect(json).toContain(':white_check_mark: Preflight checks — 2 s');
    expect(json).toContain(':white_small_square: List cached images');
  });

  it('lists every step with its state and elapsed time, and offers Cancel while running', () => {
    const b = bake();
    b.steps.preflight = { state: 'done', startedAt: t0, endedAt: new Date(t0.getTime() + 2000), summary: 'ok' };
    b.steps['find-template'] = { state: 'running', startedAt: new Date(t0.getTime() + 2000) };
    const { text, blocks } = bakeRootMessage(b, new Date(t0.getTime() + 65_000), { sandbox: false });
    expect(text).toContain('bake-20261128-abcd');
    const json = allText(blocks);
    expect(json).toContain(':white_check_mark: Preflight checks — 2 s');
    expect(json).toContain(':hourglass_flowing_sand: Find the executor template — 1 min 3 s');
    expect(json).toContain(':white_small_square: Create the AMI');
    expect(json).toContain(ACTION_IDS.cancelBake);
    expect(json).not.toContain('Sandbox');
    expect(blocks.length).toBeLessThanOrEqual(50);
  });

  it('a skipped step shows the skipped icon and why; titles follow the bake’s runtime and provisioning', () => {
    const b = bake({ runtimeChoice: 'auto', provision: 'none', facts: { containerRuntime: 'ctr' } });
    b.steps.inventory = { state: 'done', startedAt: t0, endedAt: new Date(t0.getTime() + 3000), summary: '4 cached' };
    b.steps.prune = { state: 'skipped', startedAt: t0, endedAt: t0, summary: 'containerd collects its own garbage' };
    b.steps.highstate = { state: 'skipped', startedAt: t0, endedAt: t0, summary: 'no provisioning configured' };
    const json = allText(bakeRootMessage(b, t0, { sandbox: false }).blocks);
    expect(json).toContain(':white_check_mark: List cached images (containerd, ctr) — 3 s');
    expect(json).toContain(':fast_forward: Prune dangling images (containerd, ctr)');
    expect(json).toContain('_skipped: containerd collects its own garbage_');
    expect(json).toContain(':fast_forward: Provision (none configured)');
    expect(json).toContain('_skipped: no provisioning configured_');
    expect(json).toContain(':white_small_square: Pull images (containerd, ctr)');
    expect(json).not.toContain('salt-call');
  });

  it('titles before the runtime is detected, with a provisioning script, and for a record older than runtimes', () => {
    const auto = allText(
      bakeRootMessage(bake({ runtimeChoice: 'auto', provision: { script: '/opt/bake.sh' } }), t0, { sandbox: false })
        .blocks,
    );
    expect(auto).toContain('Pull images (runtime detected on the template)');
    expect(auto).toContain('Provision (script /opt/bake.sh)');
    // Saved by a release without runtimes: docker and salt, with the titles bakes always had.
    const old = allText(bakeRootMessage(bake(), t0, { sandbox: false }).blocks);
    expect(old).toContain(':white_small_square: Pull images\\n');
    expect(old).toContain('salt-call state.highstate');
  });

  it('names the template by the deployment’s kind: the node template on EKS, the executor template on tiers', () => {
    const eks = bake({ kind: 'eks-node-groups' });
    eks.steps['find-template'] = { state: 'running', startedAt: t0 };
    const eksCard = allText(bakeRootMessage(eks, new Date(t0.getTime() + 5000), { sandbox: false }).blocks);
    expect(eksCard).toContain(':hourglass_flowing_sand: Find the node template — 5 s');
    expect(eksCard).not.toContain('executor');
    expect(stepTitle('find-template', eks)).toBe('Find the node template');
    // Tiers, and a bake saved before kinds were kept on it: the seed's words, unchanged.
    for (const tiers of [bake({ kind: 'hardware-tiers' }), bake()]) {
      expect(stepTitle('find-template', tiers)).toBe('Find the executor template');
      expect(allText(bakeRootMessage(tiers, t0, { sandbox: false }).blocks)).toContain(
        ':white_small_square: Find the executor template',
      );
    }
    expect(stepTitle('find-template')).toBe('Find the executor template');
    // No other title says executor on EKS.
    expect(BAKE_STEPS.map((step) => stepTitle(step, eks)).filter((title) => /executor/i.test(title))).toEqual([]);
  });

  it('drops the Cancel button once the bake ended, and marks sandbox and --no-reboot', () => {
    const { blocks } = bakeRootMessage(bake({ status: 'succeeded', noReboot: true }), t0, { sandbox: true });
    const json = allText(blocks);
    expect(json).not.toContain(ACTION_IDS.cancelBake);
    expect(json).toContain('Sandbox');
    expect(json).toContain('--no-reboot');
  });

  it('stays within Block Kit limits with 50 long image references', () => {
    const images = Array.from(
      { length: 50 },
      (_, i) => `registry.example.com:5000/team/very-long-name-${i}:${'t'.repeat(100)}`,
    );
    const { blocks } = bakeRootMessage(bake({ images }), t0, { sandbox: false });
    for (const block of blocks) {
      const text = 'text' in block ? (block.text as { text?: string } | undefined)?.text : undefined;
      if (text) expect(text.length).toBeLessThanOrEqual(3000);
    }
  });
});

describe('help and list builders', () => {
  it('help lists the commands and explains an unknown word', () => {
    const help = helpMessage('`deploy` is not an ami-bot command');
    expect(help.text).toContain('/ami bake');
    expect(help.text).toContain('/ami cancel');
    expect(allText(help.blocks)).toContain('`deploy` is not an ami-bot command');
  });

  it('the bake list says how to start when empty and shows ids and AMIs otherwise', () => {
    expect(bakeListMessage([], t0).text).toContain('/ami bake');
    const done = bake({
      status: 'succeeded',
      endedAt: new Date(t0.getTime() + 3_600_000),
      facts: { imageId: 'ami-123' },
    });
    expect(bakeListMessage([done], t0).text).toContain('`bake-20261128-abcd` acme');
    expect(bakeListMessage([done], t0).text).toContain('→ ami-123');
  });

  it('bake ids are short and safe', () => {
    const id = newBakeId(t0, () => 0.5);
    expect(id).toMatch(/^bake-20261128-[a-z0-9]{4}$/);
  });
});
