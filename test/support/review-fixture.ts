// The review's use cases on the simulator: a demo world, a manual clock, a recording chat and a state store.
import { createMemoryStateStore } from '../../src/adapters/memory/memory-state-store.js';
import type { StartBakeInput } from '../../src/bake/start-bake.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/ports/clock.js';
import type { StateStore } from '../../src/ports/state-store.js';
import { createReviewFeature, type ReviewFeatureDeps, type ReviewOptions } from '../../src/review/review-feature.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import type { Reply } from '../../src/shared/reply.js';
import { createFaults } from '../../src/sim/faults.js';
import { createManualClock, type ManualClock } from '../../src/sim/manual-clock.js';
import { DEMO_IDS } from '../../src/sim/seed-demo-world.js';
import { createSimDominoTiers, createSimTierUsers } from '../../src/sim/sim-domino.js';
import { createSimEc2 } from '../../src/sim/sim-ec2.js';
import { createSimWorld, type SimWorld, seedDemoWorld } from '../../src/sim/sim-world.js';
import { createSlackReviewNotifier } from '../../src/slack/review-notifier.js';
import { createReviewChat, type ReviewChat } from './review-chat.js';

export const REVIEW_ENV: Record<string, string> = {
  SLACK_BOT_TOKEN: 'xoxb-test_not_a_real_token',
  SLACK_SIGNING_SECRET: 'test-signing-secret-0123456789',
  AMIBOT_OPS_CHANNELS: DEMO_IDS.opsChannel,
  AMIBOT_ADMINS: `${DEMO_IDS.requester},${DEMO_IDS.approvers[0]}`,
  AMIBOT_DEPLOYMENT: 'acme',
  AMIBOT_IMAGES: `${DEMO_IDS.images.base},${DEMO_IDS.images.standard}`,
  AMIBOT_PINNED_TIERS: DEMO_IDS.pinnedTierId,
  MONGODB_URI: 'mongodb://127.0.0.1:1/unused',
};

export interface ReviewFixture {
  config: Config;
  clock: ManualClock;
  chat: ReviewChat;
  store: StateStore;
  world: SimWorld;
  bakeCalls: StartBakeInput[];
  feature: ReturnType<typeof createReviewFeature>;
}

export interface ReviewFixtureOptions {
  start?: Date;
  store?: StateStore;
  /** A manual clock (default), or any Clock (e.g. the system clock for node-cron). */
  clock?: Clock;
  chat?: ReviewChat;
  world?: SimWorld;
  owner?: string;
  tweak?: (config: Config) => void;
  review?: ReviewOptions;
  /** What the stubbed start-bake use case does (default: takes the deployment's lock and says so). */
  startBake?: (input: StartBakeInput) => Promise<Reply>;
  /** The report's "Suggested images" source, and the `--images auto` use case Start bake then runs. */
  suggestImages?: ReviewFeatureDeps['suggestImages'];
  startAutoBake?: ReviewFeatureDeps['startAutoBake'];
}

export function createReviewFixture(options: ReviewFixtureOptions = {}): ReviewFixture {
  // A mutable copy: the validated config is frozen, tests tweak their own.
  const config = structuredClone(loadConfig({ ...REVIEW_ENV, AMIBOT_SANDBOX: '1' }, () => ''));
  config.timeZone = 'Europe/Berlin';
  options.tweak?.(config);
  // Tests that pass another Clock do not call advance(); the type stays convenient for the others.
  const clock = (options.clock ?? createManualClock(options.start ?? new Date('2026-10-01T07:00:00Z'))) as ManualClock;
  const chat = options.chat ?? createReviewChat(clock);
  const store = options.store ?? createMemoryStateStore();
  const world = options.world ?? seedDemoWorld(createSimWorld({ deployment: 'acme' }));
  const bakeCalls: StartBakeInput[] = [];
  const startBake =
    options.startBake ??
    (async (input: StartBakeInput): Promise<Reply> => {
      bakeCalls.push(input);
      await store.locks.acquire(`bake:${input.deployment}`, 'bake-20261001-abcd', clock.now());
      return { text: 'Bake bake-20261001-abcd of acme started; follow it in its thread.' };
    });
  const feature = createReviewFeature({
    config,
    store,
    notifier: createSlackReviewNotifier({ chat, logger: createSilentLogger() }),
    clock,
    logger: createSilentLogger(),
    ec2: createSimEc2(world, clock, createFaults()),
    tiers: createSimDominoTiers(world),
    tierUsers: createSimTierUsers(world),
    owner: options.owner ?? 'test-owner',
    ...(options.suggestImages ? { suggestImages: options.suggestImages } : {}),
    ...(options.startAutoBake ? { startAutoBake: options.startAutoBake } : {}),
    startBake: async (input) => {
      if (options.startBake) bakeCalls.push(input);
      return startBake(input);
    },
    // The production trigger (the fixture's config is sandbox's, whose default is the Clock-driven one).
    options: options.review ?? { trigger: 'cron' },
  });
  return { config, clock, chat, store, world, bakeCalls, feature };
}

export const DAY_MS = 86_400_000;
