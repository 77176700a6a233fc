// The real bot with the simulator's Domino, approvers in a user group of 50, and Slack users for the tier
// users: what the rollout's end-to-end tests drive through signed requests.
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { newStepTable } from '../../src/bake/bake-steps.js';
import { bakeImageTags } from '../../src/bake/image-tags.js';
import { type AmiTestRecord, newTestId } from '../../src/rollout/ami-test-record.js';
import type { ChangeRecord } from '../../src/rollout/change-record.js';
import { newShortId } from '../../src/rollout/change-record.js';
import { DEMO_IDS } from '../../src/sim/seed-demo-world.js';
import { ADMIN, type Harness, type HarnessOptions, startHarness } from './bot-harness.js';
import { driveUntil } from './time-driver.js';

export const APPROVERS = Array.from({ length: 50 }, (_, i) => `U0GRP${String(i).padStart(4, '0')}`);
export const STRANGER = 'U0STRANGER';

/** Waits for `probe`, the harnesses' manual clocks moving on meanwhile (test/support/time-driver.ts). */
export function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  return driveUntil(what, probe, { realLimitMs: timeoutMs });
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
    ...shared,
    tweak: (config) => {
      config.approvers.users = [ADMIN];
      config.approvers.userGroup = DEMO_IDS.approverGroup;
      config.announceChannel = DEMO_IDS.announceChannel;
      config.domino.testProjectId = DEMO_IDS.testProjectId;
      config.deployments[0]!.pinnedTiers = [DEMO_IDS.pinnedTierId];
      // Long, like the harness's bake lease: these tests are not about the scan taking over a stale apply.
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

/**
 * An AMI that passes the rollout gate without running a bake: a copy of small-k8s's AMI (its cache and files)
 * registered now in this account with a succeeded bake's tags, that bake's record, and — unless `tested: false`
 * — a passed test that proved its executor. For tests about what happens after the gate.
 */
export async function gateReadyAmi(
  harness: Pick<Harness, 'world' | 'store' | 'clock'>,
  options: {
    tested?: boolean;
    test?: Partial<AmiTestRecord>;
    deployment?: string;
    /** Another outcome of the bake behind the AMI (the gate wants `succeeded`). */
    bakeStatus?: BakeRecord['status'];
    /** The AMI's CreationDate (default: now, newer than every seeded AMI). */
    createdAt?: Date;
  } = {},
): Promise<{ amiId: string; bake: BakeRecord; test?: AmiTestRecord }> {
  const { world, store, clock } = harness;
  const now = clock.now();
  const deployment = options.deployment ?? 'acme';
  const source = world.images.get(world.tiers.find((t) => t.doc._id === 'small-k8s')!.doc.executorImage)!;
  const amiId = world.ids.image();
  const bake: BakeRecord = {
    _id: newShortId('bake', now),
    deployment,
    requester: ADMIN,
    channel: DEMO_IDS.opsChannel,
    images: [DEMO_IDS.images.base],
    noReboot: false,
    status: options.bakeStatus ?? 'succeeded',
    steps: newStepTable(),
    facts: { imageId: amiId, imageName: `domino-${deployment}-executor-${amiId.slice(-6)}` },
    createdAt: now,
    updatedAt: now,
  };
  world.images.set(amiId, {
    ...source,
    id: amiId,
    name: bake.facts.imageName!,
    creationMs: (options.createdAt ?? now).getTime(),
    tags: bakeImageTags(bake),
    snapshotIds: [],
    dockerImages: new Map(source.dockerImages),
  });
  await store.bakes.insert(bake);
  if (options.tested === false) return { amiId, bake };
  const test = await recordProvenTest(harness, amiId, { bakeId: bake._id, previousAmi: source.id, ...options.test });
  return { amiId, bake, test };
}

/** A passed test of `amiId` that proved its executor, as if `/ami test` had run: what the gate requires. */
export async function recordProvenTest(
  harness: Pick<Harness, 'store' | 'clock'>,
  amiId: string,
  overrides: Partial<AmiTestRecord> = {},
): Promise<AmiTestRecord> {
  const now = harness.clock.now();
  const test: AmiTestRecord = {
    _id: newTestId(now),
    deployment: 'acme',
    requester: ADMIN,
    amiId,
    tierId: DEMO_IDS.testTierId,
    tierLabel: 'AMI test tier',
    previousAmi: amiId,
    channel: DEMO_IDS.opsChannel,
    status: 'passed',
    staleExecutors: [],
    executor: { instanceId: 'i-0fe5h0e5ec0t0r001', imageId: amiId, launchTime: now },
    seconds: { Queued: 150, Pulling: 1.5, Preparing: 14 },
    statesSeen: ['Queued', 'Pulling', 'Preparing', 'Running'],
    toRunningSeconds: 166,
    pullPassSeconds: 5,
    createdAt: now,
    endedAt: now,
    ...overrides,
  };
  await harness.store.amiTests.insert(test);
  return test;
}
