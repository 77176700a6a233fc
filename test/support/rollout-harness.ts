// The real bot with the simulator's Domino, approvers in a user group of 50, and Slack users for the tier
// users: what the rollout's end-to-end tests drive through signed requests.
import type { BakeRecord } from '../../src/bake/bake-record.js';
import type { ChangeRecord } from '../../src/rollout/change-record.js';
import { DEMO_IDS } from '../../src/sim/seed-demo-world.js';
import { ADMIN, type Harness, type HarnessOptions, startHarness } from './bot-harness.js';

export const APPROVERS = Array.from({ length: 50 }, (_, i) => `U0GRP${String(i).padStart(4, '0')}`);
export const STRANGER = 'U0STRANGER';

export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * `shared` is passed on to startHarness: give several harnesses one world, clock, fake Slack and database
 * (replicas of one bot), or another clock.
 */
export async function rolloutHarness(
  tweak?: (config: Harness['config']) => void,
  shared: Omit<HarnessOptions, 'domino' | 'tweak'> = {},
): Promise<Harness> {
  const harness = await startHarness({
    domino: true,
    // Slower than the bake tests, so the approval deadline and the AMI test's polling keep realistic proportions.
    speed: 1_000,
    ...shared,
    tweak: (config) => {
      config.approvers.users = [ADMIN];
      config.approvers.userGroup = DEMO_IDS.approverGroup;
      config.announceChannel = DEMO_IDS.announceChannel;
      config.domino.testProjectId = DEMO_IDS.testProjectId;
      config.deployments[0]!.pinnedTiers = [DEMO_IDS.pinnedTierId];
      // Like the harness's bake lease: at 1000× a busy machine's half-second stall is "10 minutes", and the
      // scan would take over an apply that is merely slow (harmless, but not what these tests look at).
      config.rollout.applyStaleMinutes = 600;
      tweak?.(config);
    },
  });
  harness.fake.setUsergroup(DEMO_IDS.approverGroup, APPROVERS);
  harness.fake.setUsersByEmail(
    Object.fromEntries(Object.entries(harness.world.slack.users).map(([id, user]) => [user.email, id])),
  );
  return harness;
}

export async function bake(harness: Harness): Promise<BakeRecord> {
  await harness.slash('bake', { responseId: 'bake' });
  return until('the bake', async () => {
    const [latest] = await harness.store.bakes.listRecent(1);
    if (latest && ['failed', 'cancelled'].includes(latest.status)) throw new Error(`bake ${latest.status}`);
    return latest?.status === 'succeeded' ? latest : undefined;
  });
}

export const tierImages = (harness: Harness) =>
  Object.fromEntries(harness.world.tiers.map((t) => [t.doc._id, t.doc.executorImage]));

export async function latestChange(harness: Harness, kind: ChangeRecord['kind']): Promise<ChangeRecord> {
  return until(`a ${kind} change`, async () =>
    (await harness.store.changes.listRecent(10)).find((c) => c.kind === kind),
  );
}
