import { isAppError } from '../errors.js';
import type { InventoryAmi } from './ami-inventory.js';
import { isTargetReference } from './ami-references.js';
import { gatherInventory } from './gather-inventory.js';
import { type LifecycleDeps, lifecycleDeployment } from './lifecycle-deps.js';

const DAY_MS = 86_400_000;

export interface ProtectionReport {
  /** AMIs a target uses that were not protected and now are. */
  protected: string[];
  /** Already protected (or cooling down: EC2 still refuses to deregister them). */
  already: string[];
  /** Superseded AMIs no target uses any more whose protection was lifted (with a cooldown, EC2 holds it 24 h). */
  released: string[];
  /** Superseded AMIs given an EC2 deprecation time (only with `retention.deprecateAfterDays`). */
  deprecated: Array<{ imageId: string; at: Date }>;
  /** AMIs a target uses again (a revert onto a superseded one) whose deprecation was cancelled. */
  undeprecated: string[];
  failed: Array<{ imageId: string; error: string }>;
}

export interface ProtectInput {
  deployment?: string;
  /**
   * The AMIs a change just moved targets off (its updates' `from`). Only these lose their protection, and only
   * once no target uses them: ami-bot protected them when a target took them on, so lifting it undoes its own
   * act; any other protected AMI (a person's deliberate protection) is never touched here.
   */
  superseded?: readonly string[];
}

/**
 * After a change is applied (and on demand): every AMI of this deployment's bakes that a rollout target (a tier or
 * a node group) uses gets EC2 deregistration protection, WithCooldown per `retention.protectWithCooldown`; the
 * superseded AMIs no target uses any more lose it (EC2 then keeps refusing to deregister them for 24 hours when
 * it was set WithCooldown) and, with `retention.deprecateAfterDays`, get a deprecation time that many days ahead
 * so nobody launches them by mistake; one a target takes on again has its deprecation cancelled. An AMI still referenced otherwise (a revert record, an executor) keeps
 * being kept by the prune's references; protection only follows what targets launch. Idempotent: protected AMIs
 * are left as they are, a released one is cooling down or off, a deprecated one has its time.
 */
export async function protectInUse(deps: LifecycleDeps, input: ProtectInput): Promise<ProtectionReport> {
  const deployment = lifecycleDeployment(deps.config, input.deployment);
  const inventory = await gatherInventory(deps, deployment);
  const report: ProtectionReport = {
    protected: [],
    already: [],
    released: [],
    deprecated: [],
    undeprecated: [],
    failed: [],
  };
  const attempt = async (ami: InventoryAmi, act: () => Promise<void>, what: string) => {
    try {
      await act();
      return true;
    } catch (error) {
      // One AMI's failure (a missing permission) does not hold back the others.
      report.failed.push({
        imageId: ami.id,
        error: isAppError(error) || error instanceof Error ? error.message : String(error),
      });
      deps.logger.warn({ err: error, imageId: ami.id }, `could not ${what}`);
      return false;
    }
  };
  const superseded = new Set(input.superseded ?? []);
  const { deprecateAfterDays } = deployment.retention;
  for (const ami of inventory.amis) {
    if (ami.state !== 'available') continue;
    if (ami.references.some(isTargetReference)) {
      // Back in use (a revert onto a superseded AMI): nobody should be steered away from it any more.
      if (
        ami.deprecationTime &&
        (await attempt(ami, () => deps.ec2.disableImageDeprecation(ami.id), 'cancel the deprecation of an AMI in use'))
      )
        report.undeprecated.push(ami.id);
      if (ami.protection.state !== 'off') report.already.push(ami.id);
      else if (
        await attempt(
          ami,
          () =>
            deps.ec2.enableDeregistrationProtection(ami.id, { withCooldown: deployment.retention.protectWithCooldown }),
          'protect an AMI in use',
        )
      )
        report.protected.push(ami.id);
      continue;
    }
    if (!superseded.has(ami.id)) continue;
    if (ami.protection.state === 'on') {
      if (await attempt(ami, () => deps.ec2.disableDeregistrationProtection(ami.id), 'lift the protection of an AMI'))
        report.released.push(ami.id);
    }
    if (deprecateAfterDays !== undefined && !ami.deprecationTime) {
      const at = new Date(deps.clock.now().getTime() + deprecateAfterDays * DAY_MS);
      if (await attempt(ami, () => deps.ec2.enableImageDeprecation(ami.id, at), 'deprecate a superseded AMI'))
        report.deprecated.push({ imageId: ami.id, at });
    }
  }
  return report;
}
