// What the AMI test and the gate say about the machine a test job ran on: an executor of the test tier (Domino 3.x),
// a node of the test node group (EKS) — side by side, the tiers' sentences as before.
import { describe, expect, it } from 'vitest';
import type { InstanceInfo } from '../../src/ports/ec2.js';
import { testRefusal } from '../../src/rollout/rollout-gate.js';
import { identifyExecutor } from '../../src/rollout/run-ami-test.js';
import { targetNoun } from '../../src/shared/target-noun.js';
import { renderMrkdwn } from '../../src/slack/blocks/render-text.js';
import { testMessage } from '../../src/slack/blocks/test-message.js';
import { allText, sampleTest } from '../support/rollout-fixtures.js';

const began = new Date('2026-11-28T10:00:00Z');
const test = { amiId: 'ami-0new', createdAt: began };
const instance = (id: string, imageId: string, launched: string): InstanceInfo =>
  ({ id, imageId, state: 'running', launchTime: new Date(launched), tags: {} }) as unknown as InstanceInfo;

describe('the test’s proof, words per kind', () => {
  it('an instance on another AMI beside the job: an executor of the test tier, or a node of the test node group', () => {
    const old = [instance('i-0old', 'ami-0old', '2026-11-28T09:00:00Z')];
    const tiers = identifyExecutor(test, old);
    expect(tiers).toEqual({
      unproven:
        'executor i-0old of the test tier (running, ami-0old, launched 2026-11-28T09:00:00.000Z) was up while the job ran (on ami-0old, not the AMI under test): the job may have run there instead of on an executor booted from ami-0new for this test.',
    });
    expect(identifyExecutor(test, old, targetNoun('hardware-tiers'))).toEqual(tiers);
    expect(identifyExecutor(test, old, targetNoun('eks-node-groups'))).toEqual({
      unproven:
        'node i-0old of the test node group (running, ami-0old, launched 2026-11-28T09:00:00.000Z) was up while the job ran (on ami-0old, not the AMI under test): the job may have run there instead of on a node booted from ami-0new for this test.',
    });
  });

  it('nothing found while the job ran: no executor of the test tier, or no node of the test node group', () => {
    expect(identifyExecutor(test, [])).toEqual({
      unproven: 'no executor of the test tier was found on EC2 while the job was Running.',
    });
    expect(identifyExecutor(test, [], targetNoun('eks-node-groups'))).toEqual({
      unproven: 'no node of the test node group was found on EC2 while the job was Running.',
    });
    // The proof itself does not depend on the words.
    const fresh = [instance('i-0new', 'ami-0new', '2026-11-28T10:02:00Z')];
    expect(identifyExecutor(test, fresh, targetNoun('eks-node-groups'))).toEqual(identifyExecutor(test, fresh));
  });
});

describe('the gate’s refusal of an unproven test, words per kind', () => {
  const next = { testCommand: '/ami test bake-1', overrideHint: 'override' };
  const shown = (...args: Parameters<typeof testRefusal>) => renderMrkdwn(testRefusal(...args)!);

  it('could not prove which executor (tiers) or which node (EKS) ran its job', () => {
    const unproven = sampleTest({ _id: 'test-20261128-0001', status: 'unproven' });
    expect(shown(unproven, 'ami-1', next)).toContain(
      'The latest test of AMI ami-1 (test-20261128-0001) could not prove which executor ran its job. Run',
    );
    expect(shown(unproven, 'ami-1', { ...next, machine: 'executor' })).toBe(shown(unproven, 'ami-1', next));
    expect(shown(unproven, 'ami-1', { ...next, machine: targetNoun('eks-node-groups').machine })).toContain(
      'could not prove which node ran its job. Run',
    );
  });

  it('a pass from before the check: which executor, or which node, ran the job', () => {
    const early = sampleTest({ _id: 'test-20261128-0002', status: 'passed' });
    expect(shown(early, 'ami-1', next)).toContain('passed before ami-bot checked which executor ran the job');
    expect(shown(early, 'ami-1', { ...next, machine: 'node' })).toContain(
      'passed before ami-bot checked which node ran the job',
    );
  });
});

describe('the test card’s stale-instance warning, words per kind', () => {
  const stale = [{ id: 'i-0warm', imageId: 'ami-0old', state: 'running' }];

  it('executors of the test tier, or nodes of the test node group, up on another AMI', () => {
    const tiers = allText(testMessage(sampleTest({ staleExecutors: stale })));
    expect(tiers).toContain('1 executor(s) of the test tier are up on another AMI (i-0warm (ami-0old, running))');
    const eks = allText(
      testMessage(
        sampleTest({ staleExecutors: stale, hardwareTierId: 'test-pool', tierLabel: 'test-us-west-2a (pool test)' }),
      ),
    );
    expect(eks).toContain('1 node(s) of the test node group are up on another AMI (i-0warm (ami-0old, running))');
    expect(eks).not.toContain('executor');
  });
});
