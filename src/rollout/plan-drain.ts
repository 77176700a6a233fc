import { AppError } from '../errors.js';
import type { InstanceInfo } from '../ports/ec2.js';
import { hasTags, isTemplateInstance } from '../shared/deployment-scope.js';
import { plural } from '../shared/format.js';
import type { Reply } from '../shared/reply.js';
import { targetNounOf } from '../shared/target-noun.js';
import { text } from '../shared/text.js';
import { withChangeLock } from './change-lock.js';
import { postChange, replyInThread } from './change-messages.js';
import { type ChangeRecord, type DrainInstance, isTierApplied, targetKey } from './change-record.js';
import { audit, type RolloutDeps, requireChangeId, requireDeployment } from './rollout-deps.js';
import { storeNewChange } from './store-change.js';
import { targetsFor } from './targets/targets-for.js';

const LIVE: ReadonlySet<string> = new Set(['pending', 'running', 'stopping', 'stopped']);

/** Instance ids recent bakes (of any deployment) recorded as their template: never executors, whatever their tags. */
export async function recordedTemplateIds(deps: Pick<RolloutDeps, 'store'>): Promise<Set<string>> {
  const bakes = await deps.store.bakes.listRecent(200);
  return new Set(bakes.flatMap((bake) => (bake.facts.instanceId ? [bake.facts.instanceId] : [])));
}

/**
 * Executors of the tiers a change moved that are still on another AMI than the tier's current one. Only this
 * deployment's executors (scope tags besides the tier tag), never a template.
 */
async function findOldExecutors(deps: RolloutDeps, change: ChangeRecord) {
  const deployment = requireDeployment(deps.config, change.deployment);
  const port = targetsFor(deps, change.deployment);
  const scope = port.drainScope();
  const targets: Record<string, string> = {};
  const found = new Map<string, DrainInstance>();
  // A kind that replaces its own instances (EKS drains the nodes of an updated node group) leaves nothing here.
  if (!scope) return { targets, stopped: [], running: [], replacedByKind: true };
  const current = new Map((await port.list()).map((target) => [target.key, target.ami]));
  const templates = await recordedTemplateIds(deps);
  // One EC2 query for every executor of the deployment (the tier tag as a wildcard), grouped here by tier:
  // a change that moved thousands of tiers costs one paginated DescribeInstances, not one call per tier.
  const executors: InstanceInfo[] = (await deps.ec2.findInstancesByTags(scope.allTags)).filter(
    (i) => !isTemplateInstance(deployment, i, templates),
  );
  // Only tiers this change moved: a special tier's executors (the GPU tier's custom AMI) are never drained.
  for (const moved of change.updates.filter((t) => isTierApplied(change.result, t))) {
    const target = current.get(targetKey(moved));
    if (!target) continue;
    // EC2 tags carry the tier id's text only.
    const tierId = moved.id;
    targets[tierId] = target;
    const ofTier = executors.filter((i) => hasTags(i, scope.tagsOf(tierId)));
    for (const i of ofTier) {
      if (!LIVE.has(i.state) || i.imageId === target || found.has(i.id)) continue;
      found.set(i.id, { id: i.id, tierId, imageId: i.imageId, state: i.state, name: i.name });
    }
  }
  const all = [...found.values()];
  return {
    targets,
    stopped: all.filter((i) => i.state === 'stopped'),
    running: all.filter((i) => i.state !== 'stopped'),
    replacedByKind: false,
  };
}

/**
 * `/ami drain <change-id>` and the step after every applied tier change: list executors still on old AMIs.
 * Stopped ones (Domino would start them again within executorTerminateTimeout) are offered for termination
 * behind an approval; running ones are listed for Domino's Maintenance Mode.
 */
type DrainOutcome = { drain: ChangeRecord; old: Awaited<ReturnType<typeof findOldExecutors>> } | { reply: Reply };

export function createPlanDrain(deps: RolloutDeps) {
  return async function planDrain(input: { userId: string; changeId: string }): Promise<Reply> {
    requireChangeId(input.changeId);
    const source = await deps.store.changes.get(input.changeId);
    if (!source) throw new AppError('unknown_change', `No change ${input.changeId}.`);
    if (source.kind === 'drain' || source.status !== 'applied') {
      const noun = targetNounOf(deps.config.deployments, source.deployment);
      throw new AppError(
        'not_drainable',
        `${source._id} is a ${source.kind} that is ${source.status}: only an applied ${noun.short} change has old ${noun.machines} to drain.`,
      );
    }
    // Serialised per deployment: a duplicate `/ami drain` (or the one after an apply) waits, then finds this drain
    // open instead of listing the same executors for termination twice (withChangeLock).
    const outcome = await withChangeLock(deps, source.deployment, async (): Promise<DrainOutcome> => {
      const open = (await deps.store.changes.listOpen()).find((c) => c.kind === 'drain' && c.drainOf === source._id);
      if (open) {
        throw new AppError(
          'drain_open',
          `${open._id} (drain after ${source._id}) is still ${open.status}: approve or reject it in the thread.`,
        );
      }
      const old = await findOldExecutors(deps, source);
      const base = { actor: input.userId, deployment: source.deployment, changeId: source._id };
      if (old.stopped.length === 0) {
        await replyInThread(deps, source, deps.presenter.drainNothingToTerminate(source, old.running));
        await audit(deps, {
          ...base,
          action: 'drain.listed',
          summary: `0 stopped, ${old.running.length} running on old AMIs`,
        });
        const noun = targetNounOf(deps.config.deployments, source.deployment);
        return {
          reply: deps.presenter.content(
            old.replacedByKind
              ? text`Nothing to drain after ${source._id}: the ${noun.many} it changed replaced their ${noun.machines} during the apply, so no ${noun.machines} on an old AMI are left to terminate (said in the thread).`
              : text`No stopped executor on an old AMI after ${source._id}; ${old.running.length} running (listed in the thread).`,
          ),
        };
      }
      const now = deps.clock.now();
      const draft: Omit<ChangeRecord, '_id'> = {
        kind: 'drain',
        deployment: source.deployment,
        requester: input.userId,
        createdAt: now,
        deadline: new Date(now.getTime() + deps.config.approvalTtlHours * 3_600_000),
        drainOf: source._id,
        snapshot: [],
        updates: [],
        skipped: [],
        unchanged: [],
        drain: { targets: old.targets, stopped: old.stopped, running: old.running },
        channel: source.channel,
        ...(source.threadTs ? { threadTs: source.threadTs } : {}),
        status: 'pending',
      };
      return { drain: await postChange(deps, await storeNewChange(deps.store.changes, draft)), old };
    });
    if ('reply' in outcome) return outcome.reply;
    const { drain, old } = outcome;
    const base = { actor: input.userId, deployment: source.deployment, changeId: source._id };
    await audit(deps, {
      ...base,
      changeId: drain._id,
      action: 'drain.listed',
      summary: `after ${source._id}: ${old.stopped.length} stopped to terminate, ${old.running.length} running for Maintenance Mode`,
      before: Object.fromEntries([...old.stopped, ...old.running].map((i) => [i.id, `${i.state} on ${i.imageId}`])),
    });
    return deps.presenter.content(
      text`${drain._id}: ${plural(old.stopped.length, 'stopped executor')} can be terminated (an approver presses the button in the thread); ${old.running.length} running ones are listed for Maintenance Mode.`,
    );
  };
}
