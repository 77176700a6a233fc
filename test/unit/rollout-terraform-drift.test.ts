// Terraform drift (issue 15, item 6): a planned node group whose launch template carries one of
// `eks.terraformTagKeys` drifts from Terraform's state; the plan says which module input to change and is refused
// until the admin accepts it (`--accept-terraform-drift`).
import { describe, expect, it } from 'vitest';
import { createPlanRollout } from '../../src/rollout/plan-rollout.js';
import type { TerraformDriftNotice } from '../../src/rollout/rollout-target.js';
import { targetsFor } from '../../src/rollout/targets/targets-for.js';
import { terraformAmiVariable } from '../../src/rollout/targets/terraform-drift.js';
import { changeMessage } from '../../src/slack/blocks/change-message.js';
import { driftSection } from '../../src/slack/blocks/drift-section.js';
import { parseCommand } from '../../src/slack/commands/command-table.js';
import { ADMIN, COMPUTE, eksRig } from '../support/eks-rig.js';
import { allText, blockKitProblems, NEW_AMI, sampleChange, T0 } from '../support/rollout-fixtures.js';

const notice = (overrides: Partial<TerraformDriftNotice> = {}): TerraformDriftNotice => ({
  kind: 'terraform-drift',
  key: 'nodegroup:acme/acme-compute-usw2-az1',
  label: 'acme-compute-usw2-az1 (pool default)',
  templateId: 'lt-0123456789abcdef0',
  templateName: 'acme-compute',
  tags: { 'managed-by': 'terraform' },
  variable: 'default_node_groups.compute.ami',
  ami: NEW_AMI,
  ...overrides,
});

describe('terraformAmiVariable: the module input from the launch template name <cluster>-<node group key>', () => {
  it('names default_node_groups, system_node_group and additional_node_groups inputs', () => {
    expect(terraformAmiVariable('acme', 'acme-compute')).toBe('default_node_groups.compute.ami');
    expect(terraformAmiVariable('acme', 'acme-gpu')).toBe('default_node_groups.gpu.ami');
    expect(terraformAmiVariable('acme', 'acme-platform_jobs')).toBe('default_node_groups.platform_jobs.ami');
    expect(terraformAmiVariable('acme', 'acme-system')).toBe('system_node_group.system.ami');
    expect(terraformAmiVariable('acme', 'acme-bigmem')).toBe('additional_node_groups.bigmem.ami');
    expect(terraformAmiVariable('acme', 'acme-9 odd')).toBe('additional_node_groups["9 odd"].ami');
  });

  it('guesses nothing for a template the module did not name', () => {
    expect(terraformAmiVariable('acme', 'hand-made')).toBeUndefined();
    expect(terraformAmiVariable('acme', 'acme-')).toBeUndefined();
    expect(terraformAmiVariable('acme', undefined)).toBeUndefined();
  });
});

describe('driftSection (Block Kit)', () => {
  it('says the change drifts, prints the variable change once per input and who accepted it', () => {
    const change = sampleChange({
      notices: [notice(), notice({ key: 'nodegroup:acme/acme-compute-usw2-az2', label: 'az2' })],
      noticesAcceptedBy: ADMIN,
    });
    const message = changeMessage(change, T0, { timeZone: 'UTC' });
    expect(blockKitProblems(message)).toEqual([]);
    const text = allText(message);
    expect(text).toContain('*Drifts from Terraform*');
    expect(text).toContain(`\`default_node_groups.compute.ami = "${NEW_AMI}"\``);
    expect(text.match(/default_node_groups\.compute\.ami/g)).toHaveLength(1);
    expect(text).toContain('2 node groups');
    expect(text).toContain(`Accepted by <@${ADMIN}>`);
    // The Approve button's confirm dialog says it too.
    expect(JSON.stringify(message.blocks)).toContain('Drifts from Terraform (2 node groups).');
  });

  it('escapes tag values and template names (outside text) and names the input generically without a path', () => {
    const blocks = driftSection({
      notices: [notice({ variable: undefined, templateName: '<!channel> *lt*', tags: { terraform: '<@U0EVIL>' } })],
    });
    expect(blocks).toHaveLength(1);
    const text = JSON.stringify(blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<@U0EVIL>');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain("the node group module's `ami` input");
  });

  it('is absent without notices, and cut to fit a section when there are very many', () => {
    expect(driftSection({})).toEqual([]);
    const many = Array.from({ length: 400 }, (_, i) =>
      notice({ key: `k${i}`, templateName: `acme-pool${i}`, variable: `additional_node_groups.pool${i}.ami` }),
    );
    const message = changeMessage(sampleChange({ notices: many }), T0, { timeZone: 'UTC' });
    expect(blockKitProblems(message)).toEqual([]);
    expect(allText(message)).toContain('more');
  });
});

describe('/ami plan --accept-terraform-drift', () => {
  it('parses the flag anywhere among the options', () => {
    expect(parseCommand('plan bake-20261128-k3m9 --accept-terraform-drift')).toEqual({
      kind: 'plan',
      target: 'bake-20261128-k3m9',
      acceptDrift: true,
    });
    expect(parseCommand('plan --accept-terraform-drift --override-test "why" ami-0123456789abcdef0')).toEqual({
      kind: 'plan',
      target: 'ami-0123456789abcdef0',
      overrideTest: 'why',
      acceptDrift: true,
    });
  });
});

describe('plan of an eks-node-groups deployment whose launch templates Terraform manages (simulator)', () => {
  const input = { userId: ADMIN, channelId: 'C0OPS00001', overrideTest: 'no test node group yet' };

  it('the EKS targets name each planned node group whose template carries a Terraform tag; hardware tiers none', async () => {
    const r = await eksRig();
    const port = targetsFor(r.deps, 'acme');
    const targets = await port.list();
    const updates = targets
      .filter((t) => COMPUTE.includes(t.id))
      .map((t) => ({ key: t.key, id: t.id, label: t.label, from: t.ami, to: r.newAmi, guard: t.guard }));
    const notices = await port.notices(updates);
    expect(notices.map((n) => [n.key, n.tags, n.variable, n.ami])).toEqual(
      updates.map((u) => [u.key, { 'managed-by': 'terraform' }, `additional_node_groups.${u.id}.ami`, r.newAmi]),
    );
    const untagged = await eksRig({ eks: 'terraformTagKeys: [owner]' });
    expect(await targetsFor(untagged.deps, 'acme').notices(updates)).toEqual([]);
  });

  it('refuses the plan until the drift is accepted: nothing stored or posted, the variable change printed', async () => {
    const r = await eksRig();
    const bake = await r.bakedNewAmi();
    const plan = createPlanRollout(r.deps);
    const refusal = await plan({ ...input, target: bake._id }).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'terraform_drift' });
    const message = (refusal as Error).message;
    expect(message).toContain('the change will drift from the Terraform state');
    for (const name of COMPUTE) expect(message).toContain(`additional_node_groups.${name}.ami = "${r.newAmi}"`);
    expect(message).toContain(`/ami plan ${bake._id} --accept-terraform-drift`);
    expect(await r.store.changes.listOpen()).toEqual([]);
    expect(r.chat.posts).toEqual([]);
    for (const name of COMPUTE) expect(r.versions(name)).toHaveLength(1);

    await plan({ ...input, target: bake._id, acceptDrift: true });
    const [planned] = await r.store.changes.listOpen();
    expect(planned?.noticesAcceptedBy).toBe(ADMIN);
    expect(planned?.notices?.map((n) => n.key)).toEqual(planned?.updates.map((u) => u.key));
    const posted = r.chat.posts.find((p) => JSON.stringify(p.blocks ?? '').includes(planned!._id));
    expect(JSON.stringify(posted?.blocks)).toContain('Drifts from Terraform');
    await r.deps.tasks.stop();
  });
});
