import { type DominoTiersPort, type TierRecord, type TierUsersPort, tierKey } from '../ports/domino.js';
import type { SimWorld } from './sim-world.js';

export { createSimDominoApi } from './sim-domino-api.js';

/**
 * Domino's `executor_group_configuration` collection. Updates behave like the Mongo adapter's unordered
 * bulkWrite of `updateOne({ _id, executorImage: from }, { $set: { executorImage: to } })`: each update that
 * still matches is applied, the others match nothing and are reported, and nothing is rolled back.
 */
export function createSimDominoTiers(world: SimWorld, options: { labelField?: string } = {}): DominoTiersPort {
  const labelField = options.labelField ?? 'name';
  return {
    async listTiers() {
      return world.tiers.map(({ idType, doc }): TierRecord => {
        const label = doc[labelField];
        return {
          id: doc._id,
          idType,
          label: typeof label === 'string' && label !== '' ? label : doc._id,
          executorImage: doc.executorImage,
        };
      });
    },
    async applyImageUpdates(updates) {
      const applied: string[] = [];
      const conflicts: string[] = [];
      for (const update of updates) {
        const tier = world.tiers.find((t) => t.doc._id === update.id && t.idType === update.idType);
        if (tier === undefined || tier.doc.executorImage !== update.from) {
          conflicts.push(tierKey(update));
          continue;
        }
        tier.doc.executorImage = update.to;
        applied.push(tierKey(update));
      }
      return { applied, conflicts };
    },
  };
}

/** Who ran on which tier lately, and which environments are used: seeded facts, no clock needed. */
export function createSimTierUsers(world: SimWorld): TierUsersPort {
  return {
    async usersByTier(tierIds) {
      return new Map(tierIds.map((id) => [id, [...(world.tierUsers.get(id) ?? [])]]));
    },
    async environmentsInUse() {
      return world.environmentUsage.map(({ environment, image, runs }) => ({
        environment,
        runs,
        ...(image ? { image } : {}),
      }));
    },
    // The seeded environments are the window's usage (the simulator keeps no run history to bound by time).
    async imageUsage() {
      return world.environmentUsage.flatMap((u) =>
        u.image
          ? [
              {
                image: u.image,
                runs: u.runs,
                users: u.users ?? 1,
                tiers: (u.tiers ?? [{ tier: 'default', runs: u.runs, users: u.users ?? 1 }])
                  .map((t) => ({ ...t }))
                  .sort((a, b) => b.runs - a.runs),
              },
            ]
          : [],
      );
    },
  };
}
