// A revert of an eks-node-groups change re-checks, when it acts, what the rollout checked when it was planned:
// Terraform drift (the reverted change's acceptance carries over to the same node groups on the same launch
// templates, shown in the plan; any other template Terraform manages needs `--accept-terraform-drift`, and nothing
// is changed until then) and the node group itself (still on the launch template version the change made, or left
// alone). Simulator EKS and launch templates, in-memory store, manual clock; versions asserted after each attempt.
import { describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../../src/rollout/change-record.js';
import { createRollout } from '../../src/rollout/create-rollout.js';
import { addLaunchTemplateVersion } from '../../src/sim/sim-launch-templates.js';
import { parseCommand } from '../../src/slack/commands/command-table.js';
import { ADMIN, APPROVER, COMPUTE, eksRig } from '../support/eks-rig.js';
import { blockKitProblems } from '../support/rollout-fixtures.js';

const OPS = 'C0OPS00001';
const [A, B] = COMPUTE as [string, string];
type Rig = Awaited<ReturnType<typeof eksRig>>;

/** The seed's Terraform tag (one of the default eks.terraformTagKeys) taken off or put on a node group's template. */
function setTerraformManaged(r: Rig, name: string, managed: boolean) {
  const tags = r.sim.world.launchTemplates.get(r.seeded.templateIds[name]!)!.tags;
  if (managed) tags['managed-by'] = 'terraform';
  else delete tags['managed-by'];
}

async function approve(r: Rig, id: string) {
  expect(await r.store.changes.decide(id, { outcome: 'approved', by: APPROVER, at: r.clock.now() })).toBe(true);
}

/** The new AMI rolled out to the compute node groups through the use cases: planned, approved, applied. */
async function appliedRollout(r: Rig, acceptDrift: boolean) {
  const bake = await r.bakedNewAmi();
  const rollout = createRollout(r.deps);
  await rollout.useCases.planRollout({
    userId: ADMIN,
    channelId: OPS,
    target: bake._id,
    overrideTest: 'no test node group yet',
    ...(acceptDrift ? { acceptDrift: true } : {}),
  });
  const [planned] = await r.store.changes.listOpen();
  await approve(r, planned!._id);
  const source = await r.drive(rollout.applyChange(planned!._id, APPROVER));
  expect(source?.result).toMatchObject({ status: 'applied', conflicts: [] });
  await rollout.idle();
  for (const name of COMPUTE) expect(r.nodegroup(name).launchTemplate?.version).toBe('2');
  return { rollout, source: source! };
}

async function openRevert(r: Rig): Promise<ChangeRecord> {
  const revert = (await r.store.changes.listOpen()).find((c) => c.kind === 'revert');
  expect(revert).toBeDefined();
  return revert!;
}

/** The audit trail's words for the planned change. */
async function plannedSummary(r: Rig, changeId: string) {
  const entries = await r.store.audit.listRecent(50);
  return entries.find((e) => e.action === 'change.planned' && e.changeId === changeId)?.summary;
}

/** What the node group's template holds (the AMI of each version) and the version the node group runs. */
const state = (r: Rig, name: string) => ({
  amis: r.versions(name).map((v) => v.imageId),
  on: r.nodegroup(name).launchTemplate?.version,
});

describe('revert of an eks-node-groups change: Terraform drift checked again', () => {
  it('a change applied with --accept-terraform-drift is reverted on the same templates, the acceptance carried over and shown', async () => {
    const r = await eksRig();
    const { rollout, source } = await appliedRollout(r, true);
    expect(source.notices?.map((n) => n.key)).toHaveLength(2);

    await rollout.useCases.revertChange({ userId: ADMIN, channelId: OPS, changeId: source._id });
    const revert = await openRevert(r);
    expect(revert.updates.map((u) => [u.id, u.to])).toEqual(COMPUTE.map((n) => [n, r.seeded.nodeImageId]));
    expect(revert).toMatchObject({ noticesAcceptedBy: ADMIN, noticesCarriedFrom: source._id });
    expect(await plannedSummary(r, revert._id)).toContain(
      `Terraform drift accepted for ${source._id} carried over for 2 node group(s)`,
    );
    expect(revert.notices?.map((n) => [n.key, n.templateId, n.ami])).toEqual(
      revert.updates.map((u) => [u.key, u.guard?.split(':')[0], r.seeded.nodeImageId]),
    );
    const message = r.chat.posts.find((p) => JSON.stringify(p.blocks ?? '').includes(revert._id));
    expect(blockKitProblems({ text: message?.text ?? '', blocks: message?.blocks ?? [] })).toEqual([]);
    const posted = JSON.stringify(message);
    expect(posted).toContain('*Terraform*: 2 planned node groups launch from templates Terraform manages');
    expect(posted).toContain('Launch templates Terraform manages (2 node groups).');
    expect(posted).toContain(`the revert puts back the AMI Terraform's variables named before ${source._id}`);
    expect(posted).toContain(`Drift accepted by <@${ADMIN}> for ${source._id}, carried over to this revert`);
    for (const name of COMPUTE) {
      expect(posted).toContain(`additional_node_groups.${name}.ami = \\"${r.seeded.nodeImageId}\\"`);
    }

    await approve(r, revert._id);
    const done = await r.drive(rollout.applyChange(revert._id, APPROVER));
    expect(done?.result).toMatchObject({ status: 'applied', conflicts: [] });
    for (const name of COMPUTE) {
      expect(state(r, name)).toEqual({ amis: [r.seeded.nodeImageId, r.newAmi, r.seeded.nodeImageId], on: '3' });
    }
    await r.deps.tasks.stop();
  });

  it('a template Terraform manages since the change (no drift accepted for it) refuses the revert, naming it; nothing changes', async () => {
    const r = await eksRig();
    // B's template was not Terraform's when the rollout was planned: drift was accepted for A only.
    setTerraformManaged(r, B, false);
    const { rollout, source } = await appliedRollout(r, true);
    expect(source.notices?.map((n) => n.label)).toEqual([`${A} (pool compute)`]);
    setTerraformManaged(r, B, true);
    const posts = r.chat.posts.length;

    const refusal = await rollout.useCases
      .revertChange({ userId: ADMIN, channelId: OPS, changeId: source._id })
      .catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'terraform_drift' });
    const message = (refusal as Error).message;
    expect(message).toContain(
      `node group ${B} (pool compute): launch template acme-${B} (\`${r.seeded.templateIds[B]}\`), tagged managed-by=terraform`,
    );
    expect(message).toContain(`additional_node_groups.${B}.ami = "${r.seeded.nodeImageId}"`);
    // A's acceptance carries over: only B is named.
    expect(message).not.toContain(`node group ${A}`);
    expect(message).toContain(
      `Nothing was planned or changed. To revert anyway, run \`/ami revert ${source._id} --accept-terraform-drift\``,
    );
    expect(await r.store.changes.listOpen()).toEqual([]);
    expect(r.chat.posts).toHaveLength(posts);
    for (const name of COMPUTE) {
      expect(state(r, name)).toEqual({ amis: [r.seeded.nodeImageId, r.newAmi], on: '2' });
      expect(r.nodegroup(name).updates).toHaveLength(1);
    }
    await r.deps.tasks.stop();
  });

  it('with --accept-terraform-drift the revert goes ahead, accepted by the reverting admin', async () => {
    const r = await eksRig();
    for (const name of COMPUTE) setTerraformManaged(r, name, false);
    const { rollout, source } = await appliedRollout(r, false);
    expect(source.notices).toBeUndefined();
    setTerraformManaged(r, A, true);

    await rollout.useCases.revertChange({ userId: ADMIN, channelId: OPS, changeId: source._id, acceptDrift: true });
    const revert = await openRevert(r);
    expect(revert.noticesAcceptedBy).toBe(ADMIN);
    expect(revert.noticesCarriedFrom).toBeUndefined();
    expect(await plannedSummary(r, revert._id)).toContain('; drift from Terraform accepted for 1 node group(s)');
    expect(revert.notices?.map((n) => n.label)).toEqual([`${A} (pool compute)`]);
    const posted = JSON.stringify(r.chat.posts.find((p) => JSON.stringify(p.blocks ?? '').includes(revert._id)));
    expect(posted).toContain(`Accepted by <@${ADMIN}> when planning.`);

    await approve(r, revert._id);
    const done = await r.drive(rollout.applyChange(revert._id, APPROVER));
    expect(done?.result).toMatchObject({ status: 'applied', conflicts: [] });
    for (const name of COMPUTE) {
      expect(state(r, name)).toEqual({ amis: [r.seeded.nodeImageId, r.newAmi, r.seeded.nodeImageId], on: '3' });
    }
    await r.deps.tasks.stop();
  });

  it('a template Terraform manages between the revert plan and its apply: the apply writes nothing and says how to go on', async () => {
    const r = await eksRig();
    setTerraformManaged(r, B, false);
    const { rollout, source } = await appliedRollout(r, true);
    await rollout.useCases.revertChange({ userId: ADMIN, channelId: OPS, changeId: source._id });
    const revert = await openRevert(r);
    expect(revert.notices?.map((n) => n.label)).toEqual([`${A} (pool compute)`]);
    setTerraformManaged(r, B, true);

    await approve(r, revert._id);
    const done = await r.drive(rollout.applyChange(revert._id, APPROVER));
    expect(done?.result).toMatchObject({ status: 'failed', applied: [], verified: [] });
    expect(done?.result?.error).toContain(`nothing was written: 1 node group this change would move now launch`);
    expect(done?.result?.error).toContain(`node group ${B} (pool compute): launch template acme-${B}`);
    expect(done?.result?.error).toContain(`\`/ami revert ${source._id} --accept-terraform-drift\``);
    for (const name of COMPUTE) {
      expect(state(r, name)).toEqual({ amis: [r.seeded.nodeImageId, r.newAmi], on: '2' });
      expect(r.nodegroup(name).updates).toHaveLength(1);
    }
    await rollout.idle();
    await r.deps.tasks.stop();
  });

  it('a rollout whose template Terraform manages since its plan writes nothing either', async () => {
    const r = await eksRig();
    for (const name of COMPUTE) setTerraformManaged(r, name, false);
    const bake = await r.bakedNewAmi();
    const rollout = createRollout(r.deps);
    await rollout.useCases.planRollout({ userId: ADMIN, channelId: OPS, target: bake._id, overrideTest: 'none yet' });
    const [planned] = await r.store.changes.listOpen();
    expect(planned?.notices).toBeUndefined();
    setTerraformManaged(r, A, true);

    await approve(r, planned!._id);
    const done = await r.drive(rollout.applyChange(planned!._id, APPROVER));
    expect(done?.result).toMatchObject({ status: 'failed', applied: [] });
    expect(done?.result?.error).toContain(`node group ${A} (pool compute)`);
    expect(done?.result?.error).toContain(`\`/ami plan ${bake._id} --accept-terraform-drift\``);
    for (const name of COMPUTE) expect(state(r, name)).toEqual({ amis: [r.seeded.nodeImageId], on: '1' });
    await rollout.idle();
    await r.deps.tasks.stop();
  });

  it('parses /ami revert <change-id> --accept-terraform-drift and refuses another option', () => {
    expect(parseCommand('revert chg-20261128-k3m9 --accept-terraform-drift')).toEqual({
      kind: 'revert',
      changeId: 'chg-20261128-k3m9',
      acceptDrift: true,
    });
    expect(parseCommand('revert --accept-terraform-drift chg-20261128-k3m9')).toMatchObject({ acceptDrift: true });
    expect(JSON.stringify(parseCommand('revert chg-20261128-k3m9 --force'))).toContain('Unknown option');
  });
});

describe('revert of an eks-node-groups change: the node group re-read before acting', () => {
  /** Someone else makes a version of the node group's template from the one it runs (same AMI, bigger instances). */
  function movedByHand(r: Rig, name: string) {
    const template = r.sim.world.launchTemplates.get(r.seeded.templateIds[name]!)!;
    const from = template.versions.at(-1)!;
    const data = { ...structuredClone(from.data), InstanceType: 'm5.4xlarge' };
    const made = addLaunchTemplateVersion(template, { ...from, description: 'by hand', data });
    r.nodegroup(name).launchTemplate = { ...r.nodegroup(name).launchTemplate!, version: String(made.number) };
  }

  it('a node group on another version than the change made (even with its AMI) is left alone when the revert is planned', async () => {
    const r = await eksRig();
    const { rollout, source } = await appliedRollout(r, true);
    movedByHand(r, A);

    await rollout.useCases.revertChange({ userId: ADMIN, channelId: OPS, changeId: source._id });
    const revert = await openRevert(r);
    expect(revert.updates.map((u) => u.id)).toEqual([B]);
    expect(revert.skipped.map((s) => [s.id, s.reason, s.detail])).toEqual([
      [
        A,
        'changed-since',
        `now on launch template ${r.seeded.templateIds[A]} version 3, not the version ${source._id} made: changed since, left alone`,
      ],
    ]);
    await approve(r, revert._id);
    const done = await r.drive(rollout.applyChange(revert._id, APPROVER));
    expect(done?.result).toMatchObject({ status: 'applied', conflicts: [] });
    expect(state(r, A)).toEqual({ amis: [r.seeded.nodeImageId, r.newAmi, r.newAmi], on: '3' });
    expect(r.versions(A)[2]?.data.InstanceType).toBe('m5.4xlarge');
    expect(state(r, B)).toEqual({ amis: [r.seeded.nodeImageId, r.newAmi, r.seeded.nodeImageId], on: '3' });
    await r.deps.tasks.stop();
  });

  it('a node group moved between the revert plan and its apply is a conflict, left on its version', async () => {
    const r = await eksRig();
    const { rollout, source } = await appliedRollout(r, true);
    await rollout.useCases.revertChange({ userId: ADMIN, channelId: OPS, changeId: source._id });
    const revert = await openRevert(r);
    expect(revert.updates.map((u) => u.id)).toEqual(COMPUTE);
    movedByHand(r, A);

    await approve(r, revert._id);
    const done = await r.drive(rollout.applyChange(revert._id, APPROVER));
    expect(done?.result?.conflicts).toEqual([
      {
        id: A,
        label: `${A} (pool compute)`,
        expected: `${r.seeded.templateIds[A]}:2`,
        found: `launch template ${r.seeded.templateIds[A]} version 3`,
      },
    ]);
    expect(state(r, A)).toEqual({ amis: [r.seeded.nodeImageId, r.newAmi, r.newAmi], on: '3' });
    expect(r.nodegroup(A).updates).toHaveLength(1);
    expect(state(r, B)).toEqual({ amis: [r.seeded.nodeImageId, r.newAmi, r.seeded.nodeImageId], on: '3' });
    await r.deps.tasks.stop();
  });
});
