import type { TierRecord } from '../ports/domino.js';
import type { InstanceInfo } from '../ports/ec2.js';
import type { AmiTestRecord } from '../rollout/ami-test-record.js';
import type { ChangeRecord, ChangeStatus } from '../rollout/change-record.js';

/**
 * What still needs an AMI. Any one of these keeps it, whatever the retention policy says: a tier launches new
 * executors from it, an executor (running, or stopped and able to come back) was launched from it, a change may
 * still move tiers to it or back to it (its revert record), or a test has the test tier on it.
 */
export type AmiReference =
  | { kind: 'tier'; tierId: string; label: string }
  | { kind: 'executor'; instanceId: string; state: string }
  | { kind: 'change'; changeId: string; role: 'target' | 'revert'; status: ChangeStatus }
  | { kind: 'test'; testId: string; role: 'under-test' | 'restore' };

export interface ReferenceSources {
  tiers: readonly TierRecord[];
  /** Executors of this deployment in any state but terminated. */
  executors: readonly InstanceInfo[];
  /** This deployment's open changes and its most recent ones. */
  changes: readonly ChangeRecord[];
  /** This deployment's tests still running. */
  tests: readonly AmiTestRecord[];
}

/** Every AMI id any source names, with each reference to it (pure: the use case gathers the sources). */
export function collectReferences(sources: ReferenceSources): Map<string, AmiReference[]> {
  const byAmi = new Map<string, AmiReference[]>();
  const add = (amiId: string | undefined, reference: AmiReference) => {
    if (!amiId) return;
    const list = byAmi.get(amiId) ?? [];
    if (!list.some((r) => sameReference(r, reference))) list.push(reference);
    byAmi.set(amiId, list);
  };
  for (const tier of sources.tiers) add(tier.executorImage, { kind: 'tier', tierId: tier.id, label: tier.label });
  for (const instance of sources.executors) {
    if (instance.state === 'terminated') continue;
    add(instance.imageId, { kind: 'executor', instanceId: instance.id, state: instance.state });
  }
  for (const change of sources.changes) {
    const ref = (role: 'target' | 'revert'): AmiReference => ({
      kind: 'change',
      changeId: change._id,
      role,
      status: change.status,
    });
    add(change.targetAmi, ref('target'));
    for (const update of change.updates) {
      add(update.to, ref('target'));
      add(update.from, ref('revert'));
    }
    for (const tier of change.snapshot) add(tier.executorImage, ref('revert'));
    for (const target of Object.values(change.drain?.targets ?? {})) add(target, ref('target'));
  }
  for (const test of sources.tests) {
    add(test.amiId, { kind: 'test', testId: test._id, role: 'under-test' });
    add(test.previousAmi, { kind: 'test', testId: test._id, role: 'restore' });
  }
  return byAmi;
}

function sameReference(a: AmiReference, b: AmiReference): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
