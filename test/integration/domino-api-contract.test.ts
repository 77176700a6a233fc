// The Domino API port's listings (hardware tiers with node pools, active runs) against the simulator and against
// the REST adapter talking to the fake Domino over HTTP.
import { afterAll, beforeAll } from 'vitest';
import { createDominoApi } from '../../src/adapters/domino/domino-api.js';
import { addRun, createManualClock, createSimulator, finishRun } from '../../src/sim/index.js';
import { dominoApiContract } from '../contract/domino-api.contract.js';
import { type FakeDomino, startFakeDomino } from '../support/fake-domino.js';

const KEY = 'domino-contract-key';

dominoApiContract('simulator', async () => {
  const sim = createSimulator({ clock: createManualClock(), write: () => {}, seedWorld: false });
  const { world } = sim;
  return {
    api: sim.dominoApi,
    addTier: (tier) => void world.hardwareTiers.push(tier),
    addRun: (run) =>
      addRun(world, {
        tierId: run.tierId,
        project: { owner: run.owner, name: run.project },
        user: run.user,
        ...(run.status ? { status: run.status } : {}),
      }),
    finishRun: (id) => finishRun(world, id),
  };
});

let fake: FakeDomino;
beforeAll(async () => {
  fake = await startFakeDomino({ apiKey: KEY, now: () => 0 });
});
afterAll(async () => {
  await fake.close();
});

dominoApiContract('REST adapter on the fake Domino', async () => {
  fake.hardwareTiers.length = 0;
  fake.runs.length = 0;
  let seq = 0;
  return {
    api: createDominoApi({ apiUrl: fake.url, apiKey: KEY, timeoutMs: 2_000 }),
    addTier: (tier) => void fake.hardwareTiers.push(tier),
    addRun(run) {
      const id = `run${++seq}`;
      fake.runs.push({
        id,
        hardwareTierId: run.tierId,
        projectOwnerName: run.owner,
        projectName: run.project,
        username: run.user,
        status: run.status ?? 'Running',
        isCompleted: false,
      });
      return id;
    },
    finishRun(id) {
      const run = fake.runs.find((r) => r.id === id);
      if (run) Object.assign(run, { status: 'Succeeded', isCompleted: true });
    },
  };
});
