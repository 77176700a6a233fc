import type { InstanceInfo } from '../ports/ec2.js';
import type { AmiTestRecord } from '../rollout/ami-test-record.js';
import type { ChangeRecord, ChangeStatus, TierSnapshot } from '../rollout/change-record.js';
import type { RolloutTarget } from '../rollout/rollout-target.js';

/**
 * What still needs an AMI. Any one of these keeps it, whatever the retention policy says: a rollout target (a
 * hardware tier, or an EKS node group through its launch template version) launches from it, an executor or node
 * (running, or stopped and able to come back) was launched from it, a change may still move targets to it or back
 * to it (its revert record), or a test has the test target on it.
 */
export type AmiReference =
  | { kind: 'tier'; tierId: string; label: string }
  | { kind: 'node-group'; nodegroup: string; label: string }
  | { kind: 'executor'; instanceId: string; state: string }
  | { kind: 'change'; changeId: string; role: 'target' | 'revert'; status: ChangeStatus }
  | { kind: 'test'; testId: string; role: 'under-test' | 'restore' };

/** A target launches new executors or nodes from it now: what protection keeps and deprecation spares. */
export function isTargetReference(reference: AmiReference): boolean {
  return reference.kind === 'tier' || reference.kind === 'node-group';
}

export interface ReferenceSources {
  /** The deployment's rollout targets as they are now (RolloutTargetPort.list). */
  targets: readonly RolloutTarget[];
  /** Executors (or nodes) of this deployment in any state but terminated. */
  executors: readonly InstanceInfo[];
  /** This deployment's open changes and its most recent ones. */
  changes: readonly ChangeRecord[];
  /** This deployment's tests still running. */
  tests: readonly AmiTestRecord[];
  /**
   * The AMI each guard the changes recorded names, where it is not the recorded AMI itself: a node group's
   * launch template version (RolloutTargetPort.amiOfGuard), read when the sources are gathered.
   */
  guardAmis?: ReadonlyMap<string, string>;
}

/** Every guard a change recorded for its targets (its snapshot and its updates): their AMIs are its revert record. */
export function recordedGuards(change: Pick<ChangeRecord, 'snapshot' | 'updates'>): string[] {
  const entries: TierSnapshot[] = [...change.snapshot, ...change.updates];
  return [
    ...new Set(entries.flatMap((entry) => (entry.guard && entry.guard !== entry.executorImage ? [entry.guard] : []))),
  ];
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
  for (const target of sources.targets) add(target.ami, targetReference(target));
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
    for (const guard of recordedGuards(change)) add(sources.guardAmis?.get(guard), ref('revert'));
    for (const target of Object.values(change.drain?.targets ?? {})) add(target, ref('target'));
  }
  for (const test of sources.tests) {
    add(test.amiId, { kind: 'test', testId: test._id, role: 'under-test' });
    add(test.previousAmi, { kind: 'test', testId: test._id, role: 'restore' });
  }
  return byAmi;
}

/** A hardware tier carries how Domino stores its id; a node group (the other kind) does not. */
function targetReference(target: RolloutTarget): AmiReference {
  return target.idType !== undefined
    ? { kind: 'tier', tierId: target.id, label: target.label }
    : { kind: 'node-group', nodegroup: target.id, label: target.label };
}

function sameReference(a: AmiReference, b: AmiReference): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
