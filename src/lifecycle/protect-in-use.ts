import { isAppError } from '../errors.js';
import { gatherInventory } from './gather-inventory.js';
import { type LifecycleDeps, lifecycleDeployment } from './lifecycle-deps.js';

export interface ProtectionReport {
  /** AMIs a tier uses that were not protected and now are. */
  protected: string[];
  /** Already protected (or cooling down: EC2 still refuses to deregister them). */
  already: string[];
  failed: Array<{ imageId: string; error: string }>;
}

/**
 * After a change is applied (and on demand): every AMI of this deployment's bakes that a tier uses gets EC2
 * deregistration protection, WithCooldown per `retention.protectWithCooldown` (then EC2 keeps refusing to
 * deregister it for 24 hours after the protection is lifted). Protection is lifted only by an approved prune that
 * retires the AMI, after re-checking nothing references it: a person's deliberate protection of an AMI still in
 * use elsewhere is never undone here. Idempotent: protected AMIs are left as they are.
 */
export async function protectInUse(deps: LifecycleDeps, input: { deployment?: string }): Promise<ProtectionReport> {
  const deployment = lifecycleDeployment(deps.config, input.deployment);
  const inventory = await gatherInventory(deps, deployment);
  const report: ProtectionReport = { protected: [], already: [], failed: [] };
  for (const ami of inventory.amis) {
    if (!ami.references.some((r) => r.kind === 'tier') || ami.state !== 'available') continue;
    if (ami.protection.state !== 'off') {
      report.already.push(ami.id);
      continue;
    }
    try {
      await deps.ec2.enableDeregistrationProtection(ami.id, { withCooldown: deployment.retention.protectWithCooldown });
      report.protected.push(ami.id);
    } catch (error) {
      // One AMI's failure (a missing permission) does not keep the others unprotected.
      report.failed.push({ imageId: ami.id, error: isAppError(error) ? error.message : String(error) });
      deps.logger.warn({ err: error, imageId: ami.id }, 'could not protect an AMI in use');
    }
  }
  return report;
}
