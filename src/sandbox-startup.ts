import type { Config } from './config.js';
import type { StateStore } from './ports/state-store.js';

/**
 * Sandbox with a persistent store: the newest time the previous run wrote (on its simulated clock). The new
 * simulated clock starts there, not at the wall clock, so times never go backwards across a restart and the
 * previous run's leases (hours ahead of the wall clock at ×60) expire after their own length, not hours later.
 */
export async function simClockStartAfter(store: StateStore, now: Date): Promise<Date> {
  const [bakes, audit] = await Promise.all([store.bakes.listRecent(20), store.audit.listRecent(5)]);
  const times = [
    now.getTime(),
    ...bakes.map((bake) => bake.updatedAt.getTime()),
    ...audit.map((entry) => entry.at.getTime()),
  ];
  return new Date(Math.max(...times));
}

/** The start-up lines that say what a sandbox keeps and how its time runs (logged as warnings). */
export function sandboxStartupNotes(config: Config, persistent: boolean): string[] {
  return [
    persistent
      ? 'sandbox: the bot state is in MongoDB and survives restarts, but the simulated AWS and Domino start afresh with each process: a bake running at a restart is picked up again and closed in its thread, saying its simulated template, commands and AMI are gone'
      : 'sandbox: sandbox state is in memory; a restart loses every bake, test and change. Set AMIBOT_STATE_MONGODB_URI to keep bakes across restarts',
    `sandbox: simulated time runs ×${config.simSpeed} (AMIBOT_SIM_SPEED) from start-up: every time and duration in Slack, and \`/ami plan --at\`, are on the simulated clock`,
  ];
}

/** What the sandbox's simulator is seeded with for this configuration (sim/index.ts's options, without importing it). */
export interface SandboxWorldOptions {
  deployment: string;
  seedEks?: { cluster: string; deployment: string; nodeTemplate: boolean; testHardwareTier?: string };
}

/**
 * The sandbox's world for this configuration: the demo world named after the first deployment and, for an
 * eks-node-groups deployment, a Domino-like cluster named after its `eks.cluster`, whose standard pools run an
 * earlier bake of that deployment and whose template is a containerd node (so a bake, a plan and an apply work
 * end to end). With `eks.testHardwareTier`, a hardware tier of that id runs on the cluster's `test` pool (its node group
 * `test-us-west-2a`, what `eks.testNodegroup` names), so the AMI test works too. One cluster: the first
 * eks-node-groups deployment's.
 */
export function sandboxWorldOptions(config: Pick<Config, 'deployments'>): SandboxWorldOptions {
  const deployment = config.deployments[0]?.name ?? 'acme';
  const eks = config.deployments.find((d) => d.kind === 'eks-node-groups' && d.eks);
  if (!eks?.eks) return { deployment };
  // The template is the world's deployment's: it becomes a node only when that deployment is the EKS one.
  const { cluster, testHardwareTier } = eks.eks;
  return {
    deployment,
    seedEks: {
      cluster,
      deployment: eks.name,
      nodeTemplate: eks.name === deployment,
      ...(testHardwareTier === undefined ? {} : { testHardwareTier }),
    },
  };
}
