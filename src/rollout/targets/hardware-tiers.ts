import type { DeploymentConfig } from '../../config.js';
import { AppError } from '../../errors.js';
import { type DominoTiersPort, type TierRecord, tierKey } from '../../ports/domino.js';
import { deploymentExecutorTags, executorTagsFor } from '../../shared/deployment-scope.js';
import type { InstanceScope, RolloutTarget, RolloutTargetPort, TargetOutcome, TestTarget } from '../rollout-target.js';

/** A Domino hardware tier as a rollout target: its guard is the executorImage the plan saw. */
export function tierTarget(tier: TierRecord): RolloutTarget {
  return {
    key: tierKey(tier),
    id: tier.id,
    idType: tier.idType,
    label: tier.label,
    ami: tier.executorImage,
    guard: tier.executorImage,
  };
}

/**
 * The `hardware-tiers` kind (Domino 3.x): targets are the tiers in Domino's MongoDB. An apply is one bulk write
 * of every update, each guarded by its recorded executorImage — the steps of a long apply degenerate to that one
 * guarded write, which a retry may send again: a tier already on its target counts as applied, one on anything
 * else is a conflict. A drain may touch the deployment's stopped executors of a tier (their EC2 tags).
 */
export function createHardwareTierTargets(
  tiers: DominoTiersPort,
  deployment: DeploymentConfig,
  tierCollection: string,
): RolloutTargetPort {
  // A tier's executors carry the deployment's scope tags and the tier tag; a drain may terminate stopped ones.
  const executors: InstanceScope = {
    allTags: deploymentExecutorTags(deployment),
    tagsOf: (tierId) => executorTagsFor(deployment, tierId),
  };
  return {
    async list() {
      return (await tiers.listTiers()).map(tierTarget);
    },
    async apply(updates) {
      const written = await tiers.applyImageUpdates(
        updates.map(({ id, idType, guard, to }) => ({ id, idType: idType ?? 'string', from: guard, to })),
      );
      const applied = new Set(written.applied);
      return updates.map(
        (update): TargetOutcome =>
          applied.has(update.key)
            ? { key: update.key, status: 'applied' }
            : // What it is on now is read by the apply's verification; the bulk write does not say.
              { key: update.key, status: 'conflict', found: '' },
      );
    },
    // A tier is a document in Domino's MongoDB: nothing else manages it that the plan must warn about.
    notices: async () => [],
    // Runs keep their executors: the new AMI reaches executors Domino starts later (the drain handles the rest).
    runningWork: async () => undefined,
    // The targets are the tiers: their own users are told.
    audience: async () => undefined,
    instanceScope: () => executors,
    testSetting: () => ({
      configured: deployment.testTier !== undefined,
      noun: 'test tier',
      setting: 'deployments[].testTier',
    }),
    async testTarget(): Promise<TestTarget> {
      const wanted = deployment.testTier;
      if (wanted === undefined) {
        throw new AppError(
          'no_test_tier',
          `No test tier is configured for ${deployment.name} (deployments[].testTier / AMIBOT_TEST_TIER).`,
        );
      }
      const all = (await tiers.listTiers()).map(tierTarget);
      const found = all.find((t) => t.id === wanted) ?? all.find((t) => t.label === wanted);
      if (!found)
        throw new AppError('unknown_test_tier', `Domino has no hardware tier \`${wanted}\`; nothing was changed.`);
      // The job is started on the tier itself; Domino boots (or reuses) one of its executors for it.
      return { target: found, hardwareTierId: found.id, isReplacedBySwitch: false };
    },
    drainScope: () => executors,
    emptyReason() {
      return `Domino's tier collection (${tierCollection}) has no documents`;
    },
    // A tier's guard is the executorImage itself.
    amiOfGuard: async (guard) => guard || undefined,
    // A tier has nothing but its executorImage: on the AMI the move set is as the change left it.
    changedSince: async (_, applied, now) =>
      now.ami === applied.to ? undefined : `now on ${now.ami || 'nothing'}, not ${applied.to}`,
  };
}
