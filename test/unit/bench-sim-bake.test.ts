// The benchmark's simulated bake still runs with its overrides (npm run bench is not part of the suite; a
// broken section there would otherwise go unseen). No timing is asserted: that is the benchmark's job.
import { describe, expect, it } from 'vitest';
import { runSimBake } from '../../bench/lib/sim-bake.js';

describe('bench/lib/sim-bake', () => {
  it('bakes on the simulator with the overrides it is given (pullConcurrency 1: one pull at a time)', async () => {
    const result = await runSimBake({ seed: 1, bake: { pullConcurrency: 1 } });
    expect(result.status).toBe('succeeded');
    expect(result.aws.pullDurationsMs.length).toBeGreaterThan(1);
    // One at a time: the pulls' makespan is at least the sum of Docker's own times.
    const sum = result.aws.pullRunMs.reduce((a, b) => a + b, 0);
    expect(result.aws.pullMakespanMs).toBeGreaterThanOrEqual(sum);
  });
});
