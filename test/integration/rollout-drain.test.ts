import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { useTestDatabase } from '../support/mongo.js';
import { allText } from '../support/rollout-fixtures.js';
import { ADMIN, AMI, APPROVERS, OPS, type RolloutRig, startRolloutRig, succeededBake } from '../support/rollout-rig.js';

const domino = useTestDatabase('drain');
const SMALL = '64f1c0de5a1b2c3d4e5f0001';

const approve = (rig: RolloutRig, changeId: string, userId = APPROVERS[0]!) =>
  rig.rollout.useCases.decideChange({ userId, changeId, decision: 'approve' });

async function plan(rig: RolloutRig) {
  const reply = await rig.rollout.useCases.planRollout({ userId: ADMIN, channelId: OPS, target: 'bake-20261128-k3m9' });
  const change = await rig.store.changes.get(/chg-\d{8}-[a-z0-9]{4}/.exec(reply.text)?.[0] ?? '');
  if (!change) throw new Error(reply.text);
  return change;
}

describe('drain after an apply', () => {
  let rig: RolloutRig;
  beforeEach(async () => {
    rig = await startRolloutRig({ domino: domino.db });
    await succeededBake(rig);
  });
  afterEach(async () => {
    await rig.close();
  });

  it('lists executors on old AMIs, and after approval terminates only the stopped ones', async () => {
    const tag = (tier: string) => ({
      Name: `acme-executor-${tier}`,
      'domino-deployment': 'acme',
      'domino-executor-group': tier,
    });
    rig.ec2.addInstance('i-0small0stopped0001', tag(SMALL), AMI.old1, 'stopped');
    rig.ec2.addInstance('i-0small0running0001', tag(SMALL), AMI.old1, 'running');
    rig.ec2.addInstance('i-0medium0stopped001', tag('medium'), AMI.old2, 'stopped');
    rig.ec2.addInstance('i-0medium0started001', tag('medium'), AMI.old2, 'stopped');
    rig.ec2.addInstance('i-0medium0newami0001', tag('medium'), AMI.new, 'stopped');
    rig.ec2.addInstance('i-0gpu0stopped000001', tag('gpu'), AMI.gpu, 'stopped');
    rig.ec2.addInstance('i-0legacy0stopped001', tag('pinned-legacy'), AMI.old1, 'stopped');
    const queries: Array<Record<string, string>> = [];
    const find = rig.ec2.findInstancesByTags.bind(rig.ec2);
    rig.ec2.findInstancesByTags = (tags) => {
      queries.push(tags);
      return find(tags);
    };
    const change = await plan(rig);
    await approve(rig, change._id);
    await rig.tasks.idle();
    // One EC2 query for all moved tiers (tier tag as a wildcard, this deployment's scope tag), however many tiers.
    expect(queries).toEqual([{ 'domino-deployment': 'acme', 'domino-executor-group': '*' }]);
    const drain = (await rig.store.changes.listRecent(5)).find((c) => c.kind === 'drain');
    expect(drain?.drainOf).toBe(change._id);
    expect(drain?.requester).toBe(ADMIN);
    expect(drain?.drain?.stopped.map((i) => i.id).sort()).toEqual(
      ['i-0medium0started001', 'i-0medium0stopped001', 'i-0small0stopped0001'].sort(),
    );
    expect(drain?.drain?.running.map((i) => i.id)).toEqual(['i-0small0running0001']);
    const message = rig.chat.posts.find((p) => p.ts === drain?.message?.ts);
    expect(JSON.stringify(message?.blocks)).toContain(ACTION_IDS.drainTerminate);
    expect(allText(message!)).toContain('Maintenance Mode');
    // Domino starts one of them again before the approver presses the button.
    rig.ec2.instances.get('i-0medium0started001')!.state = 'running';
    expect((await approve(rig, drain!._id, ADMIN)).text).toContain('two-person rule');
    await approve(rig, drain!._id, APPROVERS[1]);
    await rig.tasks.idle();
    expect(rig.ec2.terminated.map((ids) => [...ids].sort())).toEqual([
      ['i-0medium0stopped001', 'i-0small0stopped0001'],
    ]);
    const done = await rig.store.changes.get(drain!._id);
    expect(done?.result?.skipped).toEqual([
      { id: 'i-0medium0started001', detail: 'now running: put it in Maintenance Mode instead' },
    ]);
    for (const id of ['i-0small0running0001', 'i-0gpu0stopped000001', 'i-0legacy0stopped001', 'i-0medium0newami0001']) {
      expect(rig.ec2.instances.get(id)?.state, id).not.toBe('terminated');
    }
    expect((await rig.store.audit.listRecent(20)).map((e) => e.action)).toContain('drain.terminated');
  });

  it("re-checks each executor at terminate time against its tier's CURRENT AMI and this deployment's tags", async () => {
    const tag = (tier: string, deployment = 'acme') => ({
      Name: `${deployment}-executor-${tier}`,
      'domino-deployment': deployment,
      'domino-executor-group': tier,
    });
    rig.ec2.addInstance('i-0small0stopped0001', tag(SMALL), AMI.old1, 'stopped');
    rig.ec2.addInstance('i-0medium0stopped001', tag('medium'), AMI.old2, 'stopped');
    rig.ec2.addInstance('i-0medium0retagged01', tag('medium'), AMI.old2, 'stopped');
    rig.ec2.addInstance('i-0beta0medium000001', tag('medium', 'beta'), AMI.old2, 'stopped');
    rig.ec2.addInstance(
      'i-0tpl0medium0000001',
      { ...tag('medium'), Name: 'acme-executor-template' },
      AMI.old2,
      'stopped',
    );
    const change = await plan(rig);
    await approve(rig, change._id);
    await rig.tasks.idle();
    const drain = (await rig.store.changes.listRecent(5)).find((c) => c.kind === 'drain')!;
    expect(drain.drain?.stopped.map((i) => i.id).sort()).toEqual(
      ['i-0medium0retagged01', 'i-0medium0stopped001', 'i-0small0stopped0001'].sort(),
    );
    // Before the approval, a Domino admin puts `medium` back on its old AMI by hand (no change record), and an
    // instance loses the deployment's tag.
    await rig.domino
      .collection(rig.tierCollection)
      .updateOne({ _id: 'medium' as never }, { $set: { executorImage: AMI.old2 } });
    delete rig.ec2.instances.get('i-0medium0retagged01')!.tags['domino-deployment'];
    await approve(rig, drain._id, APPROVERS[1]);
    await rig.tasks.idle();
    expect(rig.ec2.terminated).toEqual([['i-0small0stopped0001']]);
    const done = await rig.store.changes.get(drain._id);
    expect(done?.result?.skipped).toEqual([
      { id: 'i-0medium0stopped001', detail: `on ${AMI.old2}, the AMI its tier uses now` },
      { id: 'i-0medium0retagged01', detail: 'no longer tagged as an executor of acme, tier medium' },
    ]);
  });
});
