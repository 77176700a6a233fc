import { type Db, ObjectId } from 'mongodb';
import type { Clock } from '../../ports/clock.js';
import type { ImageUsage, TierUsersPort } from '../../ports/domino.js';

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
  const imageField = options.imageField;
  return {
    ...(imageField ? { imageUsage: (windowDays: number) => imageUsage(options, imageField, windowDays) } : {}),
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

/**
 * Runs per image reference of the last `windowDays`, with distinct users, in all and per tier (image selection).
 * Bounded for Domino's database: the `$match` is a range on the time field (the index docs/MONGODB.md asks for),
 * the `$project` keeps three fields, and the `$group` returns one document per (image, tier, user), so the bot
 * never reads whole run documents. Runs without an image reference are not counted.
 */
async function imageUsage(
  options: MongoTierUsersOptions,
  imageField: string,
  windowDays: number,
): Promise<ImageUsage[]> {
  const since = new Date(options.clock.now().getTime() - windowDays * DAY_MS);
  const groups = await options.db
    .collection(options.collection)
    .aggregate<{ _id: { image: unknown; tier: unknown; email: unknown }; runs: number }>([
      { $match: { [options.timeField]: { $gte: since }, [imageField]: { $type: 'string' } } },
      { $project: { _id: 0, [imageField]: 1, [options.tierField]: 1, [options.emailField]: 1 } },
      {
        $group: {
          _id: { image: `$${imageField}`, tier: `$${options.tierField}`, email: `$${options.emailField}` },
          runs: { $sum: 1 },
        },
      },
    ])
    .toArray();
  const images = new Map<
    string,
    { runs: number; users: Set<string>; tiers: Map<string, { runs: number; users: Set<string> }> }
  >();
  for (const group of groups) {
    if (typeof group._id.image !== 'string' || group._id.image === '') continue;
    const image = images.get(group._id.image) ?? { runs: 0, users: new Set(), tiers: new Map() };
    images.set(group._id.image, image);
    const tierId = group._id.tier === null || group._id.tier === undefined ? 'unknown' : String(group._id.tier);
    const tier = image.tiers.get(tierId) ?? { runs: 0, users: new Set<string>() };
    image.tiers.set(tierId, tier);
    image.runs += group.runs;
    tier.runs += group.runs;
    if (typeof group._id.email === 'string' && group._id.email.trim() !== '') {
      const email = group._id.email.trim().toLowerCase();
      image.users.add(email);
      tier.users.add(email);
    }
  }
  return [...images]
    .map(([image, u]) => ({
      image,
      runs: u.runs,
      users: u.users.size,
      tiers: [...u.tiers]
        .map(([tier, t]) => ({ tier, runs: t.runs, users: t.users.size }))
        .sort((a, b) => b.runs - a.runs || a.tier.localeCompare(b.tier)),
    }))
    .sort((a, b) => b.runs - a.runs || a.image.localeCompare(b.image));
}
