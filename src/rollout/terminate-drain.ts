import type { ApplyResult, ChangeRecord } from './change-record.js';
import type { RolloutDeps } from './rollout-deps.js';

/**
 * Terminates the stopped executors of an approved drain. Each one is described again first: an executor Domino
 * has started meanwhile, or one no longer on the old AMI, is left alone and reported. Running executors are
 * never touched (Maintenance Mode has no public API; the admins do it in Domino's UI).
 */
export async function terminateDrain(deps: RolloutDeps, change: ChangeRecord): Promise<ApplyResult> {
  const stopped = change.drain?.stopped ?? [];
  const targets = change.drain?.targets ?? {};
  const terminate: string[] = [];
  const skipped: Array<{ id: string; detail: string }> = [];
  for (const planned of stopped) {
    const now = await deps.ec2.describeInstance(planned.id);
    if (!now || now.state === 'terminated' || now.state === 'shutting-down') {
      skipped.push({ id: planned.id, detail: 'already gone' });
    } else if (now.state !== 'stopped') {
      skipped.push({ id: planned.id, detail: `now ${now.state}: put it in Maintenance Mode instead` });
    } else if (now.imageId === targets[planned.tierId]) {
      skipped.push({ id: planned.id, detail: `now on the tier's current AMI ${now.imageId}` });
    } else {
      terminate.push(planned.id);
    }
  }
  if (terminate.length > 0) await deps.ec2.terminateInstances(terminate);
  return {
    status: 'applied',
    at: deps.clock.now(),
    applied: terminate,
    conflicts: [],
    verified: terminate,
    unverified: [],
    skipped,
  };
}
