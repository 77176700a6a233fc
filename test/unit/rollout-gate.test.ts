import { describe, expect, it } from 'vitest';
import type { ImageInfo } from '../../src/ports/ec2.js';
import * as gate from '../../src/rollout/rollout-gate.js';
import { isProvenPass } from '../../src/rollout/rollout-gate.js';
import type { Text } from '../../src/shared/text.js';
import { changeMessage } from '../../src/slack/blocks/change-message.js';
import { renderMrkdwn } from '../../src/slack/blocks/render-text.js';
import { blockKitProblems, sampleChange, sampleTest } from '../support/rollout-fixtures.js';

const image = (id: string, iso?: string): ImageInfo => ({
  id,
  name: id,
  state: 'available',
  tags: {},
  snapshotIds: [],
  ...(iso ? { creationDate: new Date(iso) } : {}),
});

/** A refusal as Slack shows it. */
const shown = (refusal: Text | undefined) => (refusal === undefined ? undefined : renderMrkdwn(refusal));
const olderRefusal = (...args: Parameters<typeof gate.olderRefusal>) => shown(gate.olderRefusal(...args));
const testRefusal = (...args: Parameters<typeof gate.testRefusal>) => shown(gate.testRefusal(...args));

describe('rollout gate (pure)', () => {
  it('never older: refused only when a standard tier runs a newer AMI', () => {
    const target = image('ami-0000000000000000a', '2026-09-01T00:00:00Z');
    const older = { image: image('ami-0000000000000000b', '2026-08-01T00:00:00Z'), tiers: ['Small'] };
    const newer = { image: image('ami-0000000000000000c', '2026-10-01T00:00:00Z'), tiers: ['Large', 'XL'] };
    expect(olderRefusal(target, [older])).toBeUndefined();
    expect(olderRefusal(target, [older, newer])).toContain(
      'AMI ami-0000000000000000a (created 2026-09-01) is older than ami-0000000000000000c (created 2026-10-01), which standard tiers run now (Large, XL)',
    );
    // EC2 always gives CreationDate; without one nothing is compared.
    expect(olderRefusal(image('ami-0000000000000000d'), [newer])).toBeUndefined();
    expect(olderRefusal(target, [{ image: image('ami-0000000000000000e'), tiers: ['X'] }])).toBeUndefined();
  });

  it('never older: two AMIs created the same day are told apart by their time, not shown with one date', () => {
    const target = image('ami-0000000000000000a', '2026-12-02T09:15:00Z');
    const newer = { image: image('ami-0000000000000000c', '2026-12-02T16:40:00Z'), tiers: ['Small'] };
    expect(olderRefusal(target, [newer])).toContain(
      'AMI ami-0000000000000000a (created 2026-12-02 09:15 UTC) is older than ami-0000000000000000c (created 2026-12-02 16:40 UTC)',
    );
  });

  it('a failed or unproven test whose reason ends in a full stop reads as one sentence (no "..")', () => {
    const next = { testCommand: '/ami test bake-1', overrideHint: 'override' };
    const failed = testRefusal(sampleTest({ status: 'failed', reason: 'Pulling took 8 s (> 5 s).' }), 'ami-1', next);
    expect(failed).toContain('(&gt; 5 s). Fix the bake');
    const unproven = testRefusal(sampleTest({ status: 'unproven', reason: 'no executor found.' }), 'ami-1', next);
    expect(unproven).toContain('no executor found. Run');
  });

  it('only a passed test that named its executor counts', () => {
    const executor = { instanceId: 'i-1', imageId: 'ami-1', launchTime: new Date() };
    expect(isProvenPass(sampleTest({ status: 'passed', executor }))).toBe(true);
    expect(isProvenPass(sampleTest({ status: 'passed' }))).toBe(false);
    expect(isProvenPass(sampleTest({ status: 'unproven' }))).toBe(false);
    expect(isProvenPass(sampleTest({ status: 'failed', executor }))).toBe(false);
    const next = { testCommand: '/ami test bake-1', overrideHint: 'override' };
    expect(testRefusal(sampleTest({ status: 'passed' }), 'ami-1', next)).toContain('proves nothing');
    expect(testRefusal(sampleTest({ status: 'passed', executor }), 'ami-1', next)).toBeUndefined();
  });

  it('a 300-character override reason keeps the approval card within Block Kit limits and the confirm at 300', () => {
    const reason = `${'<&>'.repeat(99)}end`;
    const change = sampleChange({ gate: { override: { by: 'U0ADMIN01', reason } } });
    const message = changeMessage(change, new Date(change.createdAt), { timeZone: 'UTC' });
    expect(blockKitProblems(message)).toEqual([]);
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('NOT TESTED (override by');
    expect(json).toContain('&lt;&amp;&gt;');
    // A reason of 200 characters is shown whole in the Approve confirm dialog, which stays within 300.
    const plain = `hotfix ${'r'.repeat(193)}`;
    const shown = changeMessage(sampleChange({ gate: { override: { by: 'U0ADMIN01', reason: plain } } }), new Date(0), {
      timeZone: 'UTC',
    });
    const confirm = JSON.stringify(shown.blocks).match(/"text":"(NOT TESTED[^"]*)"/)?.[1] ?? '';
    expect(confirm).toContain(`“${plain}”`);
    expect(confirm.length).toBeLessThanOrEqual(300);
  });
});
