import type { DeploymentConfig } from '../config.js';
import { errorCode, userText } from '../errors.js';
import type { Ec2Port } from '../ports/ec2.js';
import { templatePatternFor } from '../shared/deployment-scope.js';
import { code, type Text, text } from '../shared/text.js';

const GIB = 1024 ** 3;

/** Where a suggestion's disk budget comes from, shown beside it so the admin can check it. */
export type BudgetSource =
  /** `imageSelection.diskBudgetGiB`, as configured. */
  | { kind: 'disk-budget-setting' }
  /** `diskShare` of `imageSelection.rootVolumeGiB`: the root volume's size as configured (an override). */
  | { kind: 'root-volume-setting'; rootVolumeGiB: number; share: number }
  /** `diskShare` of the root volume of the template the bake pulls the images onto, read from EC2. */
  | { kind: 'template-root-volume'; rootVolumeGiB: number; share: number; instanceId: string; instanceName: string };

export type DiskBudget = { ok: true; bytes: number; source: BudgetSource } | { ok: false; reason: Text; code: string };

export type RootVolumeReader = Pick<Ec2Port, 'findInstancesByNamePattern' | 'describeRootVolume'>;

const bytesOf = (gib: number) => Math.round(gib * GIB);

/**
 * The disk the suggested images may take: a configured budget, or `diskShare` of the root volume the bake pulls
 * them onto. That volume is the deployment's template's, read at suggestion time (an admin who grew the volume
 * gets a bigger budget without editing the configuration); a configured `rootVolumeGiB` overrides it. Without a
 * template to read (none, several, its root not on EBS) there is no budget: guessing one could fill the template's
 * disk mid-bake, so the caller falls back to the configured list.
 */
export async function resolveDiskBudget(ec2: RootVolumeReader, deployment: DeploymentConfig): Promise<DiskBudget> {
  const selection = deployment.imageSelection;
  if (selection.diskBudgetGiB !== undefined) {
    return { ok: true, bytes: bytesOf(selection.diskBudgetGiB), source: { kind: 'disk-budget-setting' } };
  }
  const share = selection.diskShare;
  if (selection.rootVolumeGiB !== undefined) {
    return {
      ok: true,
      bytes: bytesOf(selection.rootVolumeGiB * share),
      source: { kind: 'root-volume-setting', rootVolumeGiB: selection.rootVolumeGiB, share },
    };
  }
  const override = text`set ${code('imageSelection.rootVolumeGiB')} or ${code('diskBudgetGiB')} for ${deployment.name} to give the budget yourself.`;
  const pattern = templatePatternFor(deployment);
  try {
    const found = await ec2.findInstancesByNamePattern(pattern);
    if (found.length !== 1) {
      return {
        ok: false,
        code: found.length === 0 ? 'template_not_found' : 'template_ambiguous',
        reason: text`The disk budget is a share of the template's root volume, but ${String(found.length)} instances match ${code(pattern)} (the bake needs exactly one); ${override}`,
      };
    }
    const template = found[0]!;
    const root = await ec2.describeRootVolume(template.id);
    if (!root) {
      return {
        ok: false,
        code: 'root_volume_unknown',
        reason: text`The template ${code(template.id)} has no EBS root volume to size the disk budget from; ${override}`,
      };
    }
    return {
      ok: true,
      bytes: bytesOf(root.sizeGiB * share),
      source: {
        kind: 'template-root-volume',
        rootVolumeGiB: root.sizeGiB,
        share,
        instanceId: template.id,
        instanceName: template.name,
      },
    };
  } catch (error) {
    return {
      ok: false,
      code: errorCode(error),
      reason: text`Could not read the template's root volume to size the disk budget (${userText(error)}); ${override}`,
    };
  }
}
