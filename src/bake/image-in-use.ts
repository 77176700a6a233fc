import { userMessage } from '../errors.js';
import type { DominoTiersPort } from '../ports/domino.js';
import type { StateStore } from '../ports/state-store.js';

/** Records read back per kind: a record can only name the bake's image once the bake has made it (recent). */
const RECENT = 500;

/**
 * What still points at an image the cleanup would deregister: a Domino tier (its executorImage), an AMI test, a
 * change (its target or a tier's `to`) or a revert record (a snapshot or a tier's `from`). An AMI id can be
 * tested or planned while its bake is still running. Returns the sentences that say so (plain text, escaped by
 * whoever shows them); when a source cannot be
 * read, that is a reason to keep the image too (a wrong deregistration cannot be undone).
 */
export async function imageReferences(
  deps: { store: Pick<StateStore, 'amiTests' | 'changes'>; tiers?: DominoTiersPort },
  imageId: string,
  since: Date,
): Promise<string[]> {
  const found: string[] = [];
  const read = async <T>(what: string, load: () => Promise<T[]>, isComplete: (all: T[]) => boolean) => {
    try {
      const all = await load();
      if (!isComplete(all)) found.push(`more than ${RECENT} ${what} since the bake started could not all be checked`);
      return all;
    } catch (error) {
      found.push(`${what} could not be read (${userMessage(error)})`);
      return [];
    }
  };
  const olderThanBake = (records: Array<{ createdAt: Date }>) =>
    records.length < RECENT || (records.at(-1)?.createdAt.getTime() ?? 0) < since.getTime();

  if (deps.tiers) {
    const tiers = await read(
      'Domino tiers',
      () => deps.tiers!.listTiers(),
      () => true,
    );
    for (const tier of tiers.filter((t) => t.executorImage === imageId)) {
      found.push(`Domino tier ${tier.label} (\`${tier.id}\`) uses it`);
    }
  }
  const tests = await read('AMI tests', () => deps.store.amiTests.listRecent(RECENT), olderThanBake);
  for (const test of tests.filter((t) => t.amiId === imageId || t.previousAmi === imageId)) {
    found.push(`AMI test ${test._id} (${test.status}) ${test.amiId === imageId ? 'tests' : 'restores'} it`);
  }
  const changes = await read('changes', () => deps.store.changes.listRecent(RECENT), olderThanBake);
  for (const change of changes) {
    const targets = change.targetAmi === imageId || change.updates.some((t) => t.to === imageId);
    const records =
      change.snapshot.some((t) => t.executorImage === imageId) || change.updates.some((t) => t.from === imageId);
    if (targets) found.push(`${change.kind} ${change._id} (${change.status}) sets tiers to it`);
    else if (records) found.push(`${change.kind} ${change._id} records it for a revert`);
  }
  return found;
}
