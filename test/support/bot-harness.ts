// Starts the real bot (Bolt HTTP receiver, use cases, runner) on a free port with the simulator behind its
// AWS ports, its state on the test MongoDB server and Slack's Web API on the fake server.
import { createMemoryStateStore } from '../../src/adapters/memory/memory-state-store.js';
import { createMongoStateStore } from '../../src/adapters/mongo/state-store.js';
import { type Bot, createBot } from '../../src/bot.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/ports/clock.js';
import type { TierUsersPort } from '../../src/ports/domino.js';
import type { Ec2Port } from '../../src/ports/ec2.js';
import type { EksPort } from '../../src/ports/eks.js';
import type { LaunchTemplatePort } from '../../src/ports/launch-templates.js';
import type { RegistryPort } from '../../src/ports/registry.js';
import type { SsmPort } from '../../src/ports/ssm.js';
import type { StateStore } from '../../src/ports/state-store.js';
import type { ReviewOptions } from '../../src/review/review-feature.js';
import { createSilentLogger, type Logger } from '../../src/shared/logger.js';
import { createFaults, type Faults } from '../../src/sim/faults.js';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { DEMO_IDS } from '../../src/sim/seed-demo-world.js';
import { createSimDominoApi, createSimDominoTiers, createSimTierUsers } from '../../src/sim/sim-domino.js';
import { createSimEc2 } from '../../src/sim/sim-ec2.js';
import { createSimEks } from '../../src/sim/sim-eks.js';
import { createSimLaunchTemplates } from '../../src/sim/sim-launch-templates.js';
import { createSimSsm } from '../../src/sim/sim-ssm.js';
import { createSimWorld, type SimWorld, seedDemoWorld } from '../../src/sim/sim-world.js';
import { type FakeSlack, startFakeSlack } from './fake-slack.js';
import { getFreePort } from './free-port.js';
import { createInFlight, trackStore } from './in-flight.js';
import { mongoTestUri, uniqueDbName } from './mongo.js';
import { type SlackResponse, sendBlockAction, sendSlashCommand } from './slack-signing.js';
import { driveClock, drivenIdle, isManualClock } from './time-driver.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const OPS = DEMO_IDS.opsChannel;
export const ADMIN = DEMO_IDS.requester;
export const ADMIN2 = DEMO_IDS.approvers[0];

export const TEST_ENV: Record<string, string> = {
  SLACK_BOT_TOKEN: 'xoxb-test_not_a_real_token',
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  AMIBOT_OPS_CHANNELS: OPS,
  AMIBOT_ADMINS: `${ADMIN},${ADMIN2}`,
  AMIBOT_DEPLOYMENT: 'acme',
  AMIBOT_IMAGES: `${DEMO_IDS.images.base},${DEMO_IDS.images.standard},${DEMO_IDS.images.spark}`,
  AMIBOT_TEST_TIER: DEMO_IDS.testTierId,
  MONGODB_URI: 'mongodb://127.0.0.1:1/unused',
};

export interface HarnessOptions {
  env?: Record<string, string>;
  faults?: string[];
  /** Share one database (and world) between several bot processes. */
  database?: string;
  world?: SimWorld;
  /**
   * The bot's clock (default: a manual clock at the real time now). A manual clock moves only while the test
   * waits (test/support/time-driver.ts): harnesses on one clock are driven together.
   */
  clock?: Clock;
  fake?: FakeSlack;
  memoryState?: boolean;
  /** Use this state store (shared by several harnesses as one database would be). */
  store?: StateStore;
  /** The bot's state server (default: the run's shared test server). */
  mongoUri?: string;
  /** How long a state query waits for an unreachable server before failing (default 5 s). */
  serverSelectionTimeoutMS?: number;
  /** Wrap the AWS ports (fault injection, call counting). */
  wrap?: (ports: { ec2: Ec2Port; ssm: SsmPort }) => { ec2: Ec2Port; ssm: SsmPort };
  tweak?: (config: Config) => void;
  /** Give the bot the simulator's Domino (tiers, tier users, job API) on the same world, clock and faults. */
  domino?: boolean;
  /** Give the bot the simulator's EKS and launch templates (an eks-node-groups deployment's targets). */
  eks?: boolean;
  /** These EKS and launch template ports instead (the real adapters on moto): the simulator's are not used. */
  eksPorts?: { eks: EksPort; launchTemplates: LaunchTemplatePort };
  /**
   * The review scheduler (schedule, catch-up on start, reminders). Off unless given: on the real date a
   * catch-up could post a review into any test's fake Slack.
   */
  review?: ReviewOptions;
  /** Sandbox: when this process's simulated world began (as main.ts passes it). */
  simWorldStartedAt?: Date;
  /** The bot's logger (default: silent). */
  logger?: Logger;
  /** The registries' manifests (`/ami bake --images auto`); none: the bot has no registry client. */
  registry?: RegistryPort;
  /** Who ran what (e.g. the MongoDB adapter on FerretDB), instead of the simulator's with `domino`. */
  tierUsers?: TierUsersPort;
}

export interface Harness {
  bot: Bot;
  config: Config;
  fake: FakeSlack;
  store: StateStore;
  world: SimWorld;
  faults: Faults;
  clock: Clock;
  database: string;
  url: string;
  slash(text: string, opts?: { userId?: string; channelId?: string; responseId?: string }): Promise<SlackResponse>;
  /**
   * Clicks a button as Slack would: by default from the newest message the bot posted (or updated) with that
   * button and value, in that message's channel and thread; `messageTs`/`channelId`/`teamId` say otherwise.
   */
  click(
    actionId: string,
    value: string,
    opts?: {
      userId?: string;
      messageTs?: string;
      threadTs?: string;
      channelId?: string;
      teamId?: string;
      enterpriseId?: string;
      responseId?: string;
    },
  ): Promise<SlackResponse>;
  /**
   * Resolves once the bot's work has settled: no store or chat call in flight and none started after (what a
   * test waits for before saying that nothing else happened). Time does not move.
   */
  settle(): Promise<void>;
  /** The ephemeral answer posted to response_url `responseId`. */
  answer(responseId: string): Promise<string>;
  close(options?: { keepStore?: boolean }): Promise<void>;
}

let responseCounter = 0;

/** The newest message in the fake Slack carrying button `actionId` with `value`: where a real click comes from. */
export function buttonMessage(
  fake: FakeSlack,
  actionId: string,
  value: string,
): { channel: string; ts: string; threadTs?: string } | undefined {
  const hasButton = (blocks: unknown) =>
    Array.isArray(blocks) &&
    blocks.some((block: { elements?: Array<{ action_id?: string; value?: string }> }) =>
      block?.elements?.some?.((element) => element?.action_id === actionId && element?.value === value),
    );
  for (const call of [...fake.calls].reverse()) {
    if (!['chat.postMessage', 'chat.update'].includes(call.method) || !hasButton(call.args.blocks)) continue;
    const response = (call.response ?? {}) as { channel?: string; ts?: string };
    const ts = call.method === 'chat.update' ? String(call.args.ts ?? '') : String(response.ts ?? '');
    const channel = String(response.channel ?? call.args.channel ?? '');
    const thread = call.args.thread_ts;
    return { channel, ts, ...(typeof thread === 'string' ? { threadTs: thread } : {}) };
  }
  return undefined;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = options.fake ?? (await startFakeSlack());
  // A mutable copy: the validated config is frozen, tests tweak their own.
  const config = structuredClone(loadConfig({ ...TEST_ENV, SLACK_API_URL: fake.apiUrl, ...options.env }, () => ''));
  // A long lease, as before: tests about expiring leases say so (and shorten it).
  config.bake.leaseSeconds = 3_600;
  options.tweak?.(config);
  const database = options.database ?? uniqueDbName('bot');
  const store = options.store
    ? options.store
    : options.memoryState
      ? createMemoryStateStore()
      : await createMongoStateStore({
          uri: options.mongoUri ?? mongoTestUri(),
          database,
          ...(options.serverSelectionTimeoutMS ? { serverSelectionTimeoutMS: options.serverSelectionTimeoutMS } : {}),
        });
  const world = options.world ?? seedDemoWorld(createSimWorld({ deployment: 'acme' }));
  const clock = options.clock ?? createManualClock(new Date());
  const faults = createFaults(options.faults ?? []);
  const raw = { ec2: createSimEc2(world, clock, faults), ssm: createSimSsm(world, clock, faults) };
  const ports = options.wrap ? options.wrap(raw) : raw;
  const bot = createBot({
    config,
    logger: options.logger ?? createSilentLogger(),
    store,
    clock,
    ...ports,
    ...(options.domino
      ? {
          tiers: createSimDominoTiers(world),
          tierUsers: createSimTierUsers(world),
          dominoApi: createSimDominoApi(world, clock, raw.ec2, faults),
        }
      : {}),
    ...(options.eks
      ? { eks: createSimEks(world, clock, faults), launchTemplates: createSimLaunchTemplates(world, clock, faults) }
      : {}),
    ...(options.eksPorts ?? {}),
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.tierUsers ? { tierUsers: options.tierUsers } : {}),
    botIds: { botId: 'B0BOT', botUserId: 'U0BOT' },
    // The fake Slack's workspace, which the signed requests name too (slack-signing.ts).
    installation: { teamId: 'T1' },
    processBeforeResponse: true,
    review: options.review ?? { enabled: false },
    ...(options.simWorldStartedAt ? { simWorldStartedAt: options.simWorldStartedAt } : {}),
  });
  // Time moves once the work the last wake-up started has answered: the bot's database and Slack calls.
  const driven = isManualClock(clock) ? driveClock(clock) : undefined;
  if (driven) {
    trackStore(driven.inFlight, store);
    driven.inFlight.track(bot.chat);
    // The real EKS and launch template adapters' calls (moto) too.
    if (options.eksPorts) for (const port of Object.values(options.eksPorts)) driven.inFlight.track(port);
    // Waiting for the bot to be idle waits for its timers too: time moves on until the work is done.
    for (const target of [bot.runner, bot.rollout, bot.rollout.tasks])
      target.idle = drivenIdle(target.idle.bind(target));
  }
  const port = await getFreePort();
  await bot.start(port);
  const url = `http://127.0.0.1:${port}`;

  return {
    bot,
    config,
    fake,
    store,
    world,
    faults,
    clock,
    database,
    url,
    slash(text, opts = {}) {
      return sendSlashCommand(url, SIGNING_SECRET, {
        text,
        userId: opts.userId ?? ADMIN,
        channelId: opts.channelId ?? OPS,
        responseUrl: fake.responseUrl(opts.responseId ?? `r${++responseCounter}`),
      });
    },
    click(actionId, value, opts = {}) {
      const posted = opts.messageTs === undefined ? buttonMessage(fake, actionId, value) : undefined;
      const threadTs = opts.threadTs ?? posted?.threadTs;
      return sendBlockAction(url, SIGNING_SECRET, {
        actionId,
        value,
        userId: opts.userId ?? ADMIN,
        channelId: opts.channelId ?? posted?.channel ?? OPS,
        messageTs: opts.messageTs ?? posted?.ts ?? '1700000000.000100',
        ...(threadTs ? { threadTs } : {}),
        ...(opts.teamId ? { teamId: opts.teamId } : {}),
        ...(opts.enterpriseId ? { enterpriseId: opts.enterpriseId } : {}),
        responseUrl: fake.responseUrl(opts.responseId ?? `r${++responseCounter}`),
      });
    },
    async settle() {
      await (driven ?? { inFlight: createInFlight() }).inFlight.settle();
    },
    async answer(responseId) {
      const call = await fake.waitFor((c) => c.method === 'response_url' && c.responseId === responseId, 5_000);
      return String(call.args.text ?? '');
    },
    async close(closeOptions) {
      driven?.release();
      await bot.stop();
      if (!closeOptions?.keepStore) await store.close();
      if (!options.fake) await fake.close();
    },
  };
}
