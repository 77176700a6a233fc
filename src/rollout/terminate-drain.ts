import { hasTags, isTemplateInstance } from '../shared/deployment-scope.js';
import { type ApplyResult, type ChangeRecord, nothingWritten } from './change-record.js';
import { recordedTemplateIds } from './plan-drain.js';
import { type RolloutDeps, requireDeployment } from './rollout-deps.js';
import { targetsFor } from './targets/targets-for.js';

/** A tier change of the same deployment applied after the drain was listed: the list may now be wrong. */
async function appliedSince(deps: RolloutDeps, drain: ChangeRecord): Promise<ChangeRecord | undefined> {
  const recent = await deps.store.changes.listRecent(100, drain.deployment);
  return recent.find(
    (c) =>
      c.kind !== 'drain' &&
      c._id !== drain.drainOf &&
      c.result?.status === 'applied' &&
      c.result.at.getTime() >= drain.createdAt.getTime(),
  );
}

/**
 * Terminates the stopped executors of an approved drain. Nothing is taken from the plan on trust: the drain is
 * refused when another tier change of the deployment was applied since it was listed (a revert may have put a
 * tier back on the "old" AMI); each instance is described again and terminated only if it is still stopped, still
 * this deployment's executor of that tier, not a template, and NOT on the AMI its tier uses now (tiers re-read).
 * Running executors are never touched (Maintenance Mode has no public API; the admins do it in Domino's UI).
 */
export async function terminateDrain(deps: RolloutDeps, change: ChangeRecord): Promise<ApplyResult> {
  const deployment = requireDeployment(deps.config, change.deployment);
  const since = await appliedSince(deps, change);
  if (since) {
    return nothingWritten('failed', deps.clock.now(), {
      error: `${since._id} (${since.kind}) was applied after this drain was listed, so its list may name executors tiers use again; nothing was terminated. Run \`/ami drain ${since._id}\` for a fresh list.`,
    });
  }
  // Every tier's AMI as it is NOW (by tier id text: EC2 tags carry only the text, so all tiers of that id count).
  const port = targetsFor(deps, change.deployment);
  const scope = port.drainScope();
  const inUse = new Map<string, Set<string>>();
  for (const target of await port.list()) {
    inUse.set(target.id, (inUse.get(target.id) ?? new Set()).add(target.ami));
  }
  const templates = await recordedTemplateIds(deps);
  const terminate: string[] = [];
  const skipped: Array<{ id: string; detail: string }> = [];
  for (const planned of change.drain?.stopped ?? []) {
    const now = await deps.ec2.describeInstance(planned.id);
    const current = inUse.get(planned.tierId);
    if (!now || now.state === 'terminated' || now.state === 'shutting-down') {
      skipped.push({ id: planned.id, detail: 'already gone' });
    } else if (now.state !== 'stopped') {
      skipped.push({ id: planned.id, detail: `now ${now.state}: put it in Maintenance Mode instead` });
    } else if (isTemplateInstance(deployment, now, templates)) {
      skipped.push({ id: planned.id, detail: 'it is an executor template, never drained' });
    } else if (!scope || !hasTags(now, scope.tagsOf(planned.tierId))) {
      skipped.push({
        id: planned.id,
        detail: `no longer tagged as an executor of ${deployment.name}, tier ${planned.tierId}`,
      });
    } else if (!current) {
      skipped.push({ id: planned.id, detail: `its tier ${planned.tierId} no longer exists: left for an admin` });
    } else if (current.has(now.imageId)) {
      skipped.push({ id: planned.id, detail: `on ${now.imageId}, the AMI its tier uses now` });
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
