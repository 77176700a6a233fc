import { describe, expect, it } from 'vitest';
import { demoConfig } from '../../../src/demo/demo-config.js';
import { servedTiers } from '../../../src/selection/served-tiers.js';
import { createManualClock, createSimulator } from '../../../src/sim/index.js';
import { eksRig } from '../../support/eks-rig.js';

describe('servedTiers', () => {
  it('is the hardware tiers a rollout would move: not the custom-AMI GPU tier, the pinned one or the test tier', async () => {
    const clock = createManualClock(new Date('2026-12-03T10:00:00Z'));
    const sim = createSimulator({ clock, write: () => {} });
    const config = demoConfig(undefined);
    const served = await servedTiers(
      { config, clock, ec2: sim.ec2, tiers: sim.dominoTiers, domino: sim.dominoApi },
      config.deployments[0]!,
    );
    // The test tier is on the pipeline AMI too, but its runs are the AMI tests' jobs, not users'.
    expect(served.tierIds.sort()).toEqual(['large', 'medium', 'small-k8s']);
    expect(served.labels.sort()).toEqual(['Large', 'Medium', 'Small']);
    expect(served.pools).toBeUndefined();
  });

  it('is, on EKS, the tiers of the node pools whose node groups a rollout would move (not the GPU pool on its own AMI)', async () => {
    // nodePools [compute, gpu]: the GPU node groups run a custom AMI, so only compute's are moved.
    const rig = await eksRig();
    const deployment = rig.deps.config.deployments[0]!;
    const served = await servedTiers(rig.deps, deployment);
    expect(served.pools).toEqual(['compute']);
    expect(served.tierIds.sort()).toEqual(['large-k8s', 'small-k8s']);
    expect(served.labels.sort()).toEqual(['Large', 'Small']);
  });
});
