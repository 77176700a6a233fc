import { type Db, ObjectId } from 'mongodb';
import type { Clock } from '../../ports/clock.js';
import type { TierUsersPort } from '../../ports/domino.js';

export interface MongoTierUsersOptions {
  db: Db;
  clock: Clock;
  /** Domino collection of runs (or any collection with one document per run). */
  collection: string;
  tierField: string;
  emailField: string;
  timeField: string;
  lookbackDays: number;
  environmentField: string;
  imageField?: string;
}

const DAY_MS = 86_400_000;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * Users per hardware tier from Domino's MongoDB: distinct (tier, email) pairs of recent runs, by a `$match` +
 * `$group` aggregation that FerretDB also supports (no `$lookup`, no `$addToSet`). Tier ids may be stored as
 * strings or ObjectIds, so both forms are matched.
 */
export function createMongoTierUsers(options: MongoTierUsersOptions): TierUsersPort {
  const runs = options.db.collection(options.collection);
  return {
    async usersByTier(tierIds) {
      const result = new Map<string, string[]>(tierIds.map((id) => [id, []]));
      if (tierIds.length === 0) return result;
      const since = new Date(options.clock.now().getTime() - options.lookbackDays * DAY_MS);
      const keys: Array<string | ObjectId> = [...tierIds];
      for (const id of tierIds) if (/^[0-9a-f]{24}$/i.test(id)) keys.push(new ObjectId(id));
      const pairs = await runs
        .aggregate<{ _id: { tier: unknown; email: unknown } }>([
          { $match: { [options.tierField]: { $in: keys }, [options.timeField]: { $gte: since } } },
          { $group: { _id: { tier: `$${options.tierField}`, email: `$${options.emailField}` } } },
        ])
        .toArray();
      for (const { _id } of pairs) {
        const emails = result.get(String(_id.tier));
        if (!emails || typeof _id.email !== 'string') continue;
        const email = _id.email.trim().toLowerCase();
        if (EMAIL.test(email) && !emails.includes(email)) emails.push(email);
      }
      return result;
    },
    async environmentsInUse() {
      const since = new Date(options.clock.now().getTime() - options.lookbackDays * DAY_MS);
      const image = options.imageField ? `$${options.imageField}` : null;
      const groups = await runs
        .aggregate<{ _id: { environment: unknown; image: unknown }; runs: number }>([
          { $match: { [options.timeField]: { $gte: since } } },
          { $group: { _id: { environment: `$${options.environmentField}`, image }, runs: { $sum: 1 } } },
        ])
        .toArray();
      return groups
        .filter((group) => group._id.environment !== null && group._id.environment !== undefined)
        .map((group) => ({
          environment: String(group._id.environment),
          ...(typeof group._id.image === 'string' ? { image: group._id.image } : {}),
          runs: group.runs,
        }))
        .sort((a, b) => b.runs - a.runs);
    },
  };
}
