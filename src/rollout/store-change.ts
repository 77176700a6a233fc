import { AppError } from '../errors.js';
import type { ChangeRecord } from './change-record.js';
import { newChangeId } from './change-record.js';
import type { ChangeRepo } from './change-repo.js';

/**
 * The first write of every plan, revert and drain: the change (its plan and every tier's snapshot) is stored
 * under a fresh id BEFORE it is shown or anything is written. A short id can collide: another is drawn; repeated
 * collisions are a real failure.
 */
export async function storeNewChange(changes: ChangeRepo, draft: Omit<ChangeRecord, '_id'>): Promise<ChangeRecord> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const change: ChangeRecord = { _id: newChangeId(draft.createdAt), ...draft };
    if (await changes.insert(change)) return change;
  }
  throw new AppError('change_id_collision', 'Could not find a free change id; nothing was planned. Try again.');
}
