import { describe, expect, it } from 'vitest';
import type { DominoApiPort } from '../../src/ports/domino.js';

/** What each Domino under test holds before a case: tiers with node pools, and runs added by the case. */
export interface DominoApiUnderTest {
  api: DominoApiPort;
  /** Adds a Domino 4+ hardware tier. */
  addTier(tier: { id: string; name: string; nodePool: string }): void;
  /** Adds a run of `user` in `owner/project` on a tier; returns its id. */
  addRun(run: { tierId: string; owner: string; project: string; user: string; status?: string }): string;
  /** The run completes. */
  finishRun(id: string): void;
}

/** The hardware tier and run listings the rollout reads before an EKS apply (Domino's API port). */
export function dominoApiContract(name: string, setup: () => Promise<DominoApiUnderTest>) {
  describe(`DominoApiPort contract: ${name}`, () => {
    it('lists the hardware tiers with the node pool each runs on', async () => {
      const t = await setup();
      t.addTier({ id: 'contract-cpu', name: 'Contract CPU', nodePool: 'contract-pool' });
      t.addTier({ id: 'contract-gpu', name: 'Contract GPU', nodePool: 'contract-gpu' });
      const tiers = await t.api.listHardwareTiers();
      expect(tiers).toEqual(
        expect.arrayContaining([
          { id: 'contract-cpu', name: 'Contract CPU', nodePool: 'contract-pool' },
          { id: 'contract-gpu', name: 'Contract GPU', nodePool: 'contract-gpu' },
        ]),
      );
    });

    it('lists the runs not yet completed on the given tiers only, with project and user', async () => {
      const t = await setup();
      t.addTier({ id: 'contract-cpu', name: 'Contract CPU', nodePool: 'contract-pool' });
      t.addTier({ id: 'contract-other', name: 'Other', nodePool: 'contract-other' });
      const running = t.addRun({ tierId: 'contract-cpu', owner: 'ana', project: 'churn', user: 'ana' });
      const ended = t.addRun({ tierId: 'contract-cpu', owner: 'ana', project: 'churn', user: 'bo' });
      t.addRun({ tierId: 'contract-other', owner: 'cy', project: 'etl', user: 'cy' });
      t.finishRun(ended);
      const runs = await t.api.listActiveRuns(['contract-cpu']);
      expect(runs).toEqual([
        { id: running, project: 'ana/churn', user: 'ana', hardwareTierId: 'contract-cpu', status: 'Running' },
      ]);
      expect(await t.api.listActiveRuns([])).toEqual([]);
    });
  });
}
