// The eks-node-groups rollout target on the EKS / launch template simulator, on a manual clock: list, a full
// apply, crashes between its steps resumed to exactly one new version and one update, a conflict, a failed update.
import { describe, expect, it } from 'vitest';
import {
  type ApplyJournal,
  moveOf,
  type RolloutTarget,
  type TargetOutcome,
  type TargetProgress,
} from '../../src/rollout/rollout-target.js';
import type { EksSettings } from '../../src/rollout/targets/eks-node-groups.js';
import { createEksNodeGroupTargets, nodegroupKey } from '../../src/rollout/targets/eks-node-groups.js';
import { createManualClock, createSimulator, seedEksCluster } from '../../src/sim/index.js';
import { addLaunchTemplateVersion } from '../../src/sim/sim-launch-templates.js';

const NEW_AMI = 'ami-0aaaaaaaaaaaaaaa1';
const CHANGE = 'chg-20261203-k3m9';
const NODEGROUP = 'compute-us-west-2a';

function world(overrides: Partial<EksSettings> = {}) {
  const clock = createManualClock(new Date('2026-12-03T10:00:00Z'));
  const sim = createSimulator({ clock, write: () => {}, seedWorld: false });
  const seeded = seedEksCluster(sim.world);
  const settings: EksSettings = {
    cluster: seeded.cluster,
    nodegroups: [],
    nodePools: ['compute', 'gpu', 'platform', 'legacy'],
    nodePoolLabel: 'dominodatalab.com/node-pool',
    force: false,
    terraformTagKeys: [],
    runningWork: 'evict',
    ...overrides,
  };
  const targets = createEksNodeGroupTargets(
    { eks: sim.eks, launchTemplates: sim.launchTemplates, clock, domino: sim.dominoApi },
    settings,
    { pollSeconds: 30 },
  );
  const nodegroup = (name: string) => sim.world.clusters.get(seeded.cluster)!.nodegroups.get(name)!;
  const template = (name: string) => sim.world.launchTemplates.get(seeded.templateIds[name]!)!;
  return { clock, sim, seeded, targets, nodegroup, template };
}

/** A journal as the change record keeps it; `crashOn` throws on that save (the process dies before it lands). */
function journal(initial: TargetProgress[] = [], crashOn?: number): ApplyJournal & { entries: TargetProgress[] } {
  const entries = initial.map((entry) => ({ ...entry }));
  let saves = 0;
  return {
    changeId: CHANGE,
    entries,
    saved: (key) => entries.find((entry) => entry.key === key),
    async save(entry) {
      saves += 1;
      if (saves === crashOn) throw new Error('process died');
      const at = entries.findIndex((saved) => saved.key === entry.key);
      if (at >= 0) entries[at] = { ...entry };
      else entries.push({ ...entry });
    },
    async heartbeat() {},
    signal: new AbortController().signal,
  };
}

/** Runs an apply to its end, moving virtual time a minute at a time while it follows the update. */
async function settle(
  clock: ReturnType<typeof createManualClock>,
  apply: Promise<TargetOutcome[]>,
): Promise<TargetOutcome[]> {
  let outcome: TargetOutcome[] | undefined;
  const done = apply.then((result) => {
    outcome = result;
  });
  for (let minute = 0; minute < 60 && outcome === undefined; minute++) await clock.advance(60_000);
  await done;
  return outcome ?? [];
}

async function target(targets: { list(): Promise<RolloutTarget[]> }, name: string): Promise<RolloutTarget> {
  const found = (await targets.list()).find((t) => t.id === name);
  if (!found) throw new Error(`no target ${name}`);
  return found;
}

describe('EKS node groups as rollout targets', () => {
  it('lists the selected node groups with the AMI their launch template version names; EKS-chosen AMIs are special', async () => {
    const { targets, seeded } = world();
    const listed = await targets.list();
    expect(listed.map((t) => t.id)).toEqual([
      'compute-us-west-2a',
      'compute-us-west-2b',
      'gpu-us-west-2a',
      'gpu-us-west-2b',
      'legacy-us-west-2a',
      'platform',
    ]);
    const compute = listed[0]!;
    expect(compute).toEqual({
      key: nodegroupKey(seeded.cluster, 'compute-us-west-2a'),
      id: 'compute-us-west-2a',
      label: 'compute-us-west-2a (pool compute)',
      ami: seeded.nodeImageId,
      guard: `${seeded.templateIds['compute-us-west-2a']}:1`,
    });
    expect(listed.find((t) => t.id === 'gpu-us-west-2a')).toMatchObject({ ami: seeded.gpuImageId });
    expect(listed.find((t) => t.id === 'gpu-us-west-2a')?.special).toBeUndefined();
    expect(listed.find((t) => t.id === 'platform')?.special).toMatch(/no launch template/);
    expect(listed.find((t) => t.id === 'legacy-us-west-2a')?.special).toMatch(/EKS-managed AMI type AL2_x86_64/);
  });

  it('lists node groups named in the config, a name the cluster does not have as special', async () => {
    const { targets } = world({ nodePools: [], nodegroups: ['default-us-west-2b', 'gone-us-west-2c'] });
    const listed = await targets.list();
    expect(listed.map((t) => [t.id, t.special])).toEqual([
      ['default-us-west-2b', undefined],
      ['gone-us-west-2c', expect.stringContaining('not found in EKS cluster')],
    ]);
  });

  it('applies: one new version with only ImageId changed, the node group updated to it, followed until Successful', async () => {
    const { clock, sim, targets, template, nodegroup, seeded } = world();
    const planned = moveOf(await target(targets, NODEGROUP), NEW_AMI);
    const book = journal();
    const outcomes = await settle(clock, targets.apply([planned], book));
    expect(outcomes).toEqual([{ key: planned.key, status: 'applied' }]);
    const versions = template(NODEGROUP).versions;
    expect(versions.map((v) => v.imageId)).toEqual([seeded.nodeImageId, NEW_AMI]);
    expect(versions[1]!.data).toEqual(versions[0]!.data);
    expect(nodegroup(NODEGROUP).launchTemplate?.version).toBe('2');
    expect(nodegroup(NODEGROUP).updates).toHaveLength(1);
    expect(nodegroup(NODEGROUP).updates[0]!.force).toBe(false);
    expect(book.entries).toEqual([{ key: planned.key, version: 2, updateId: nodegroup(NODEGROUP).updates[0]!.id }]);
    // Verified by the re-read: the node group launches the new AMI from version 2.
    expect(await target(targets, NODEGROUP)).toMatchObject({ ami: NEW_AMI, guard: `${template(NODEGROUP).id}:2` });
    // The node group next door was not planned and was not touched.
    expect(template('compute-us-west-2b').versions).toHaveLength(1);
    expect(sim.world.clusters.get(seeded.cluster)!.nodegroups.get('compute-us-west-2b')!.updates).toHaveLength(0);
  });

  it('a crash between CreateLaunchTemplateVersion and its checkpoint resumes to exactly one new version', async () => {
    const { clock, targets, template, nodegroup } = world();
    const planned = moveOf(await target(targets, NODEGROUP), NEW_AMI);
    const crashed = journal([], 1);
    const first = await settle(clock, targets.apply([planned], crashed));
    expect(first).toEqual([{ key: planned.key, status: 'failed', error: expect.any(String) }]);
    expect(template(NODEGROUP).versions).toHaveLength(2);
    expect(nodegroup(NODEGROUP).updates).toHaveLength(0);
    // The takeover finds nothing saved: the same client token returns the version the crashed attempt made.
    const resumed = journal(crashed.entries);
    expect(await settle(clock, targets.apply([planned], resumed))).toEqual([{ key: planned.key, status: 'applied' }]);
    expect(template(NODEGROUP).versions).toHaveLength(2);
    expect(nodegroup(NODEGROUP).updates).toHaveLength(1);
    expect(nodegroup(NODEGROUP).launchTemplate?.version).toBe('2');
  });

  it('a crash after UpdateNodegroupVersion, before the update id was saved, re-attaches to that one update', async () => {
    const { clock, targets, template, nodegroup } = world();
    const planned = moveOf(await target(targets, NODEGROUP), NEW_AMI);
    const crashed = journal([], 2);
    await settle(clock, targets.apply([planned], crashed));
    expect(crashed.entries).toEqual([{ key: planned.key, version: 2 }]);
    expect(nodegroup(NODEGROUP).updates).toHaveLength(1);
    const resumed = journal(crashed.entries);
    expect(await settle(clock, targets.apply([planned], resumed))).toEqual([{ key: planned.key, status: 'applied' }]);
    expect(template(NODEGROUP).versions).toHaveLength(2);
    expect(nodegroup(NODEGROUP).updates).toHaveLength(1);
    expect(resumed.entries[0]?.updateId).toBe(nodegroup(NODEGROUP).updates[0]!.id);
    // A third attempt (a takeover after the result was lost) creates nothing and starts nothing.
    expect(await settle(clock, targets.apply([planned], journal(resumed.entries)))).toEqual([
      { key: planned.key, status: 'applied' },
    ]);
    expect(template(NODEGROUP).versions).toHaveLength(2);
    expect(nodegroup(NODEGROUP).updates).toHaveLength(1);
  });

  it('a takeover that lost every checkpoint recognises the version this change made: no conflict, nothing new', async () => {
    const { clock, targets, template, nodegroup } = world();
    const planned = moveOf(await target(targets, NODEGROUP), NEW_AMI);
    await settle(clock, targets.apply([planned], journal()));
    expect(nodegroup(NODEGROUP).launchTemplate?.version).toBe('2');
    expect(await settle(clock, targets.apply([planned], journal()))).toEqual([{ key: planned.key, status: 'applied' }]);
    expect(template(NODEGROUP).versions).toHaveLength(2);
    expect(nodegroup(NODEGROUP).updates).toHaveLength(1);
  });

  it('a node group moved to another version between plan and apply is a conflict, left alone', async () => {
    const { clock, targets, template, nodegroup } = world();
    const planned = moveOf(await target(targets, NODEGROUP), NEW_AMI);
    // Someone else (Terraform, the console) makes version 2 and rolls the node group onto it.
    const v1 = template(NODEGROUP).versions[0]!;
    addLaunchTemplateVersion(template(NODEGROUP), { ...v1, description: 'by hand', data: structuredClone(v1.data) });
    nodegroup(NODEGROUP).launchTemplate = { ...nodegroup(NODEGROUP).launchTemplate!, version: '2' };
    const outcomes = await settle(clock, targets.apply([planned], journal()));
    expect(outcomes).toEqual([
      { key: planned.key, status: 'conflict', found: `launch template ${template(NODEGROUP).id} version 2` },
    ]);
    expect(template(NODEGROUP).versions).toHaveLength(2);
    expect(nodegroup(NODEGROUP).updates).toHaveLength(0);
  });

  it('reports a failed update with EKS’s errors, and still moves the next node group', async () => {
    const { clock, sim, targets, nodegroup } = world();
    const first = moveOf(await target(targets, NODEGROUP), NEW_AMI);
    sim.faults.on('nodegroup-update-failed');
    const outcomes = await settle(clock, targets.apply([first], journal()));
    expect(outcomes).toEqual([
      { key: first.key, status: 'failed', error: expect.stringMatching(/update .* failed: PodEvictionFailure/) },
    ]);
    expect(nodegroup(NODEGROUP).launchTemplate?.version).toBe('1');
    sim.faults.off('nodegroup-update-failed');
    const second = moveOf(await target(targets, 'compute-us-west-2b'), NEW_AMI);
    const both = await settle(clock, targets.apply([first, second], journal()));
    expect(both.map((o) => o.status)).toEqual(['failed', 'applied']);
  });

  it('passes force only when the deployment asks for it', async () => {
    const { clock, targets, nodegroup } = world({ force: true });
    await settle(clock, targets.apply([moveOf(await target(targets, NODEGROUP), NEW_AMI)], journal()));
    expect(nodegroup(NODEGROUP).updates[0]?.force).toBe(true);
  });

  it('a revert is a new version with the recorded AMI, guarded by the version the change created', async () => {
    const { clock, targets, template, seeded } = world();
    await settle(clock, targets.apply([moveOf(await target(targets, NODEGROUP), NEW_AMI)], journal()));
    const back = { ...moveOf(await target(targets, NODEGROUP), seeded.nodeImageId) };
    const revert = { ...journal(), changeId: 'chg-20261203-r2v4' };
    expect(await settle(clock, targets.apply([back], revert))).toEqual([{ key: back.key, status: 'applied' }]);
    expect(template(NODEGROUP).versions.map((v) => v.imageId)).toEqual([
      seeded.nodeImageId,
      NEW_AMI,
      seeded.nodeImageId,
    ]);
    expect(await target(targets, NODEGROUP)).toMatchObject({ ami: seeded.nodeImageId });
  });
});
