import { AppError } from '../errors.js';
import { code, text } from '../shared/text.js';
import { type BakeRecord, isBakeId } from './bake-record.js';
import type { BakeRepo } from './bake-repo.js';

/** The bake a person named (`/ami status`, `/ami cancel`, a button): refused clearly when it is not one. */
export async function findBake(bakes: Pick<BakeRepo, 'get'>, bakeId: string): Promise<BakeRecord> {
  if (!isBakeId(bakeId)) {
    throw new AppError(
      'invalid_bake_id',
      text`${code(bakeId.slice(0, 40))} is not a bake id (like bake-20261128-k3m9). \`/ami status\` lists them.`,
    );
  }
  const bake = await bakes.get(bakeId);
  if (!bake) throw new AppError('unknown_bake', `No bake ${bakeId}. \`/ami status\` lists recent bakes.`);
  return bake;
}
