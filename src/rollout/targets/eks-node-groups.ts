import { createHash } from 'node:crypto';
import type { DeploymentConfig } from '../../config.js';
import { AppError, userMessage } from '../../errors.js';
import type { Clock } from '../../ports/clock.js';
import type { DominoApiPort, HardwareTierInfo } from '../../ports/domino.js';
import type { EksPort, NodegroupInfo } from '../../ports/eks.js';
import type { LaunchTemplatePort } from '../../ports/launch-templates.js';
import { code, joinText, text, words } from '../../shared/text.js';
import {
  applyBySteps,
  type InstanceScope,
  type RolloutTarget,
  type RolloutTargetPort,
  type TargetApplySteps,
  type TargetNotice,
  type TargetOutcome,
  type TargetUpdate,
  type TestTarget,
} from '../rollout-target.js';
import { terraformDriftOf } from './terraform-drift.js';

export type EksSettings = NonNullable<DeploymentConfig['eks']>;

export interface EksTargetDeps {
  eks: EksPort;
  launchTemplates: LaunchTemplatePort;
  clock: Clock;
  /** Domino's hardware tiers on the node pools and their runs (the apply's running work). */
  domino: Pick<DominoApiPort, 'listHardwareTiers' | 'listActiveRuns'>;
}

export interface EksTargetOptions {
  /** How often (clock time) a started node group update is described again. */
  pollSeconds?: number;
  /** How long an update may stay InProgress before the apply reports it failed (EKS keeps going on its own). */
  followMinutes?: number;
}

/** The key of a node group: stable across plans, never the same as a tier's (`objectId:` / `string:`). */
export const nodegroupKey = (cluster: string, nodegroup: string) => `nodegroup:${cluster}/${nodegroup}`;

/** A node group's guard: the launch template and the version the plan saw. */
export const launchTemplateGuard = (templateId: string, version: number | string) => `${templateId}:${version}`;

function parseGuard(guard: string): { templateId: string; version: string } | undefined {
  const at = guard.lastIndexOf(':');
  if (at <= 0) return undefined;
  return { templateId: guard.slice(0, at), version: guard.slice(at + 1) };
}

/** What a version this change made says of itself (EC2 keeps it): how a takeover recognises it without a checkpoint. */
export function versionDescription(changeId: string, update: TargetUpdate): string {
  return `ami-bot ${changeId}: ${update.from || 'no AMI'} to ${update.to}`.slice(0, 255);
}

/**
 * An idempotency token for one request of one change on one node group (≤ 64 ASCII characters, as both
 * CreateLaunchTemplateVersion and UpdateNodegroupVersion take): the same after a restart, different for any other
 * change, node group or AMI.
 */
export function requestToken(step: 'version' | 'update', changeId: string, update: TargetUpdate): string {
  const digest = createHash('sha256').update(`${step}\n${changeId}\n${update.key}\n${update.to}`).digest('hex');
  return `${changeId.slice(0, 24)}-${step[0]}-${digest.slice(0, 32)}`;
}

/**
 * The test job runs on its hardware tier's node pool: unless that is the test node group's pool, it lands on nodes
 * the switch did not launch from the AMI and passes falsely. The refusal names both ends, the settings, and the
 * tiers Domino has on the test node group's pool (pure).
 */
export function testTierPoolRefusal(input: {
  nodegroup: string;
  /** The test node group's node-pool label value. */
  pool: string;
  nodePoolLabel: string;
  hardwareTierId: string;
  /** Every hardware tier Domino lists. */
  tiers: readonly HardwareTierInfo[];
}): AppError | undefined {
  const { nodegroup, pool, hardwareTierId } = input;
  const tier = input.tiers.find((t) => t.id === hardwareTierId);
  if (tier?.nodePool === pool) return undefined;
  const tierSetting = code('deployments[].eks.testHardwareTier');
  const onPool = input.tiers.filter((t) => t.nodePool === pool).slice(0, 5);
  const candidates =
    onPool.length === 0
      ? text`Domino lists no hardware tier on node pool ${pool}.`
      : text`Hardware tiers on node pool ${pool}: ${joinText(
          onPool.map((t) => text`${t.name} (${code(t.id)})`),
          words(', '),
        )}.`;
  const fix = text`Set ${tierSetting} to a hardware tier on node pool ${pool}; nothing was changed. ${candidates}`;
  if (!tier) {
    return new AppError(
      'test_hardware_tier_unknown',
      text`Domino has no hardware tier ${code(hardwareTierId)} (${tierSetting}), so the test job cannot be sent to the test node group ${nodegroup} (pool ${pool}). ${fix}`,
    );
  }
  const named = text`${tier.name} (${code(tier.id)})`;
  if (tier.nodePool === undefined) {
    return new AppError(
      'test_hardware_tier_pool_unknown',
      text`Domino does not say which node pool the test hardware tier ${named} runs on, so ami-bot cannot check that the test job lands on the test node group ${nodegroup} (pool ${pool}) and not on nodes of the old AMI. ${fix}`,
    );
  }
  return new AppError(
    'test_hardware_tier_pool_mismatch',
    text`The test hardware tier ${named} runs its jobs on node pool ${tier.nodePool}, but the test node group ${nodegroup} is node pool ${pool} (its ${input.nodePoolLabel} label): the test job would run on nodes not launched from the AMI and pass falsely. Set ${tierSetting} to a hardware tier on node pool ${pool}, or ${code('deployments[].eks.testNodegroup')} to a node group of pool ${tier.nodePool}; nothing was changed. ${candidates}`,
  );
}

/**
 * The `eks-node-groups` kind (Domino 4+): targets are the configured managed node groups of one cluster (by name,
 * or every node group whose node-pool label is in `nodePools`), each on the AMI its launch template version names.
 * A node group without a launch template, or on an EKS-managed AMI type, is special: listed, never changed.
 *
 * An apply moves each node group in the three crash-safe steps of `TargetApplySteps`: a new launch template
 * version copied from the planned one with only `ImageId` changed (client token; its number checkpointed), then
 * UpdateNodegroupVersion to it (client request token; the update id checkpointed), then DescribeUpdate on the
 * clock until it succeeds or fails. A node group whose version is no longer the planned one (nor the one this
 * change created) is a conflict. A revert is the same apply to the recorded AMI: EKS cannot roll back.
 */
export function createEksNodeGroupTargets(
  deps: EksTargetDeps,
  settings: EksSettings,
  options: EksTargetOptions = {},
): RolloutTargetPort {
  const { cluster } = settings;
  const pollMs = (options.pollSeconds ?? 30) * 1000;
  const followMs = (options.followMinutes ?? 180) * 60_000;
  const pools = new Set(settings.nodePools);

  /** The configured node groups and those of the configured pools, each described once. */
  async function selected(): Promise<Map<string, NodegroupInfo | undefined>> {
    const found = new Map<string, NodegroupInfo | undefined>();
    if (pools.size > 0) {
      for (const name of await deps.eks.listNodegroups(cluster)) {
        const info = await deps.eks.describeNodegroup(cluster, name);
        const pool = info?.labels[settings.nodePoolLabel];
        if (pool !== undefined && pools.has(pool)) found.set(name, info);
      }
    }
    for (const name of settings.nodegroups) {
      if (!found.has(name)) found.set(name, await deps.eks.describeNodegroup(cluster, name));
    }
    return new Map([...found].sort(([a], [b]) => a.localeCompare(b)));
  }

  async function targetOf(name: string, info: NodegroupInfo | undefined): Promise<RolloutTarget> {
    const base = { key: nodegroupKey(cluster, name), id: name, label: name };
    if (!info) return { ...base, ami: '', guard: '', special: `not found in EKS cluster ${cluster}` };
    const pool = info.labels[settings.nodePoolLabel];
    const label = pool === undefined ? name : `${name} (pool ${pool})`;
    if (!info.launchTemplate) {
      return {
        ...base,
        label,
        ami: '',
        guard: '',
        special: `has no launch template: EKS chooses its AMI (${info.amiType ?? 'its AMI type'})`,
      };
    }
    const version = await deps.launchTemplates.describeVersion(info.launchTemplate.id, info.launchTemplate.version);
    const ami = version?.imageId ?? '';
    const guard = launchTemplateGuard(info.launchTemplate.id, version?.version ?? info.launchTemplate.version);
    if (info.amiType !== undefined && info.amiType !== 'CUSTOM') {
      return { ...base, label, ami, guard, special: `runs the EKS-managed AMI type ${info.amiType}` };
    }
    if (!version || !ami) {
      return {
        ...base,
        label,
        ami,
        guard,
        special: `its launch template ${info.launchTemplate.id} version ${info.launchTemplate.version} names no AMI`,
      };
    }
    return { ...base, label, ami, guard };
  }

  /** The version number when this template version is the one this change made for the update. */
  async function madeByChange(
    id: string,
    update: TargetUpdate,
    templateId: string,
    version: string,
  ): Promise<number | undefined> {
    const found = await deps.launchTemplates.describeVersion(templateId, version);
    const isOurs = found?.description === versionDescription(id, update) && found.imageId === update.to;
    return isOurs ? found.version : undefined;
  }

  /** The node pools of the planned node groups, each with the labels of its planned node groups, sorted. */
  async function poolsOf(updates: readonly TargetUpdate[]): Promise<Map<string, string[]>> {
    const pools = new Map<string, string[]>();
    for (const update of updates) {
      const pool = (await deps.eks.describeNodegroup(cluster, update.id))?.labels[settings.nodePoolLabel];
      if (pool !== undefined) pools.set(pool, [...(pools.get(pool) ?? []), update.label]);
    }
    return new Map([...pools].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Domino's hardware tiers whose runs go to these pools. */
  async function tiersOn(pools: ReadonlyMap<string, unknown>) {
    return (await deps.domino.listHardwareTiers()).flatMap((tier) =>
      tier.nodePool !== undefined && pools.has(tier.nodePool)
        ? [{ id: tier.id, name: tier.name, pool: tier.nodePool }]
        : [],
    );
  }

  const stepsFor = (id: string): TargetApplySteps => ({
    async prepare(update, saved) {
      const planned = parseGuard(update.guard);
      const info = await deps.eks.describeNodegroup(cluster, update.id);
      if (!planned) return { key: update.key, status: 'failed', error: `no launch template was planned` };
      if (!info) return { key: update.key, status: 'conflict', found: `node group no longer exists` };
      const now = info.launchTemplate;
      if (now?.id === planned.templateId && now.version !== planned.version) {
        // Moved since the plan: by this change (a takeover whose checkpoint was lost or is behind), or a conflict.
        const ours = await madeByChange(id, update, now.id, now.version);
        if (ours !== undefined) {
          return { key: update.key, version: ours, ...(saved?.updateId ? { updateId: saved.updateId } : {}) };
        }
      }
      if (now?.id !== planned.templateId || now.version !== planned.version) {
        return {
          key: update.key,
          status: 'conflict',
          found: now ? `launch template ${now.id} version ${now.version}` : 'no launch template',
        };
      }
      if (saved?.version !== undefined) return saved;
      // Same token after a crash between this call and its checkpoint: EC2 returns the version it made then.
      const version = await deps.launchTemplates.createVersion({
        templateId: planned.templateId,
        sourceVersion: Number(planned.version),
        imageId: update.to,
        description: versionDescription(id, update),
        clientToken: requestToken('version', id, update),
      });
      return { key: update.key, version };
    },
    async start(update, prepared) {
      const planned = parseGuard(update.guard);
      if (prepared.updateId !== undefined || prepared.version === undefined || !planned) {
        return prepared;
      }
      const updateId = await deps.eks.updateNodegroupVersion({
        cluster,
        nodegroup: update.id,
        launchTemplate: { id: planned.templateId, version: String(prepared.version) },
        force: settings.force,
        clientRequestToken: requestToken('update', id, update),
      });
      return { ...prepared, updateId };
    },
    async follow(update, started, { clock, alive, signal }) {
      if (started.updateId === undefined) {
        return { key: update.key, status: 'failed', error: 'no node group update was started' };
      }
      const until = clock.now().getTime() + followMs;
      for (;;) {
        const state = await deps.eks.describeUpdate(cluster, update.id, started.updateId);
        if (state.status === 'Successful') return { key: update.key, status: 'applied' };
        if (state.status === 'Failed' || state.status === 'Cancelled') {
          const errors = state.errors.length > 0 ? `: ${state.errors.join('; ')}` : '';
          return {
            key: update.key,
            status: 'failed',
            error: `EKS update ${started.updateId} ${state.status.toLowerCase()}${errors}`,
          };
        }
        if (clock.now().getTime() >= until) {
          return {
            key: update.key,
            status: 'failed',
            error: `EKS update ${started.updateId} still in progress after ${followMs / 60_000} min; EKS goes on with it`,
          };
        }
        await clock.sleep(pollMs, signal);
        await alive();
      }
    },
  });

  // A node group's nodes carry the tags EKS's Auto Scaling group puts on them.
  const nodes: InstanceScope = {
    allTags: { 'eks:cluster-name': cluster },
    tagsOf: (nodegroup) => ({ 'eks:cluster-name': cluster, 'eks:nodegroup-name': nodegroup }),
  };

  /**
   * The test node group, refused unless the test job can only land on its nodes: it must be changeable (not
   * special) and the only node group of its node pool, and that pool must be the one Domino runs `testHardwareTier`'s
   * jobs on.
   */
  async function testTarget(): Promise<TestTarget> {
    const name = settings.testNodegroup;
    const hardwareTierId = settings.testHardwareTier;
    if (name === undefined || hardwareTierId === undefined) {
      throw new AppError(
        'no_test_tier',
        `No test node group is configured for EKS cluster ${cluster} (deployments[].eks.testNodegroup and eks.testHardwareTier); nothing was changed.`,
      );
    }
    const info = await deps.eks.describeNodegroup(cluster, name);
    if (!info) {
      throw new AppError(
        'unknown_test_tier',
        `EKS cluster ${cluster} has no node group \`${name}\` (eks.testNodegroup); nothing was changed.`,
      );
    }
    const target = await targetOf(name, info);
    if (target.special !== undefined) {
      throw new AppError(
        'test_target_special',
        `The test node group ${name} cannot be pointed at an AMI: it ${target.special}; nothing was changed.`,
      );
    }
    const pool = info.labels[settings.nodePoolLabel];
    if (pool === undefined) {
      throw new AppError(
        'test_pool_unknown',
        `The test node group ${name} has no ${settings.nodePoolLabel} label, so no hardware tier can send the test job to its nodes; nothing was changed.`,
      );
    }
    const refusal = testTierPoolRefusal({
      nodegroup: name,
      pool,
      nodePoolLabel: settings.nodePoolLabel,
      hardwareTierId,
      tiers: await deps.domino.listHardwareTiers(),
    });
    if (refusal) throw refusal;
    const others: string[] = [];
    for (const other of await deps.eks.listNodegroups(cluster)) {
      if (other === name) continue;
      const described = await deps.eks.describeNodegroup(cluster, other);
      if (described?.labels[settings.nodePoolLabel] === pool) others.push(other);
    }
    if (others.length > 0) {
      throw new AppError(
        'test_pool_shared',
        `Node group(s) ${others.join(', ')} also serve the test node group's pool ${pool}: the test job could run on one of their nodes, not on one launched from the AMI. Give ${name} a node pool of its own; nothing was changed.`,
      );
    }
    return { target, hardwareTierId, isReplacedBySwitch: true };
  }

  return {
    async list() {
      return Promise.all([...(await selected())].map(([name, info]) => targetOf(name, info)));
    },
    testSetting: () => ({
      configured: settings.testNodegroup !== undefined,
      noun: 'test node group',
      setting: 'deployments[].eks.testNodegroup',
    }),
    testTarget,
    apply(updates, journal): Promise<TargetOutcome[]> {
      return applyBySteps(stepsFor(journal.changeId), updates, journal, deps.clock, userMessage);
    },
    async runningWork(updates) {
      const pools = await poolsOf(updates);
      const base = { policy: settings.runningWork, pools: [...pools.keys()].sort() };
      try {
        const tiers = await tiersOn(pools);
        const runs = tiers.length > 0 ? await deps.domino.listActiveRuns(tiers.map((tier) => tier.id)) : [];
        return { ...base, tiers, runs };
      } catch (error) {
        // The use case decides what unknown runs mean for its policy; the node groups are not touched here.
        return { ...base, tiers: [], runs: [], error: userMessage(error) };
      }
    },
    async audience(updates) {
      const pools = await poolsOf(updates);
      const tiers = await tiersOn(pools);
      return [...pools].map(([pool, targets]) => ({
        pool,
        targets,
        tiers: tiers.filter((tier) => tier.pool === pool).map(({ id, name }) => ({ id, label: name })),
      }));
    },
    async notices(updates) {
      const found: TargetNotice[] = [];
      for (const update of updates) {
        const planned = parseGuard(update.guard);
        const version = planned && (await deps.launchTemplates.describeVersion(planned.templateId, planned.version));
        const drift = version && terraformDriftOf(cluster, update, version, settings.terraformTagKeys);
        if (drift) found.push(drift);
      }
      return found;
    },
    instanceScope: () => nodes,
    // EKS drains and replaces the nodes of an updated node group itself: a drain has nothing to terminate.
    drainScope: () => undefined,
    emptyReason() {
      return `EKS cluster ${cluster} has no node group in eks.nodegroups or with a ${settings.nodePoolLabel} label in eks.nodePools`;
    },
    async amiOfGuard(guard) {
      const recorded = parseGuard(guard);
      if (!recorded) return undefined;
      return (await deps.launchTemplates.describeVersion(recorded.templateId, recorded.version))?.imageId;
    },
    async changedSince(changeId, applied, now) {
      if (now.ami !== applied.to) return `now on ${now.ami || 'nothing'}, not ${applied.to}`;
      // Re-read: the version the node group runs now must be the one this change made (its description and AMI),
      // on the template it planned; a later version with the same AMI is someone else's (other settings, perhaps).
      const current = parseGuard(now.guard);
      const planned = parseGuard(applied.guard);
      const isOurs =
        current !== undefined &&
        current.templateId === planned?.templateId &&
        (await madeByChange(changeId, applied, current.templateId, current.version)) !== undefined;
      if (isOurs) return undefined;
      return current
        ? `now on launch template ${current.templateId} version ${current.version}, not the version ${changeId} made`
        : 'now on no launch template';
    },
  };
}
