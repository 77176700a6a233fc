// DMs at scale: the rollout's announce use case (email → Slack user lookup, one DM per user, claims so nobody is
// told twice) through the real Slack ChatPort over a WebClient set up as in src/slack/create-app.ts, against
// the fake Slack API with a per-second limit on chat.postMessage and random 429s on every method.
import { LogLevel, WebClient } from '@slack/web-api';
import { createMemoryStateStore } from '../src/adapters/memory/memory-state-store.js';
import { createSlackChat } from '../src/adapters/slack/slack-chat.js';
import { loadConfig } from '../src/config.js';
import { announceChange } from '../src/rollout/announce-change.js';
import type { TierUpdatePlan } from '../src/rollout/change-record.js';
import type { RolloutDeps } from '../src/rollout/rollout-deps.js';
import { createBackgroundTasks } from '../src/shared/background-tasks.js';
import { createSilentLogger } from '../src/shared/logger.js';
import { createSystemClock } from '../src/shared/system-clock.js';
import { createSimulator } from '../src/sim/index.js';
import { createRolloutPresenter } from '../src/slack/rollout-presenter.js';
import { dmUser, startFakeSlack } from '../test/support/fake-slack.js';
import { sampleChange, tierUpdates } from '../test/support/rollout-fixtures.js';
import { BENCH_ADMIN, BENCH_CHANNEL, BENCH_SECRET, BENCH_TOKEN } from './lib/fixtures.js';
import { round, seededRandom } from './lib/stats.js';

export interface NotifyOptions {
  users: number;
  tiers: number;
  /** chat.postMessage calls per second the fake accepts (beyond: 429, Retry-After: 1). */
  limitPerSecond: number;
  /** Probability that any Web API call is answered 429 (Retry-After: 1) regardless of the limit. */
  random429: number;
  seed: number;
}

export async function benchNotify(options: NotifyOptions) {
  const random = seededRandom(options.seed);
  const userIds = Array.from({ length: options.users }, (_, i) => `U${String(i + 1).padStart(8, '0')}`);
  const emailOf = (id: string) => `${id.toLowerCase()}@acme.example`;
  const fake = await startFakeSlack({
    usersByEmail: Object.fromEntries(userIds.map((id) => [emailOf(id), id])),
    rateLimits: { 'chat.postMessage': options.limitPerSecond },
  });
  const injected = new Map<string, number>();
  fake.onCall('*', (call) => {
    // The next call of this method is answered 429: Slack's limits are shared with every other app.
    if (call.method !== 'response_url' && random() < options.random429) {
      injected.set(call.method, (injected.get(call.method) ?? 0) + 1);
      fake.failNext(call.method, { status: 429, retryAfterSeconds: 1 });
    }
    return undefined;
  });
  try {
    const config = loadConfig(
      {
        SLACK_BOT_TOKEN: BENCH_TOKEN,
        SLACK_SIGNING_SECRET: BENCH_SECRET,
        SLACK_API_URL: fake.apiUrl,
        AMIBOT_OPS_CHANNELS: BENCH_CHANNEL,
        AMIBOT_ADMINS: BENCH_ADMIN,
        AMIBOT_DEPLOYMENT: 'acme',
        MONGODB_URI: 'mongodb://127.0.0.1:1/unused',
        LOG_LEVEL: 'silent',
      },
      () => '',
    );
    const logger = createSilentLogger();
    // As src/slack/create-app.ts builds Bolt's client: 429s come back to the ChatPort, which waits Retry-After.
    const client = new WebClient(BENCH_TOKEN, {
      slackApiUrl: fake.apiUrl,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
      logLevel: LogLevel.ERROR,
    });
    const chat = createSlackChat({ client, logger });
    const sim = createSimulator({ write: () => undefined });
    const store = createMemoryStateStore();
    const clock = createSystemClock();
    const tierIds = Array.from({ length: options.tiers }, (_, i) => `tier-${i + 1}`);
    // Every user ran on one or two tiers recently; each gets one DM listing them.
    const emailsByTier = new Map<string, string[]>(tierIds.map((id) => [id, []]));
    for (const id of userIds) {
      const first = tierIds[Math.floor(random() * tierIds.length)] as string;
      emailsByTier.get(first)?.push(emailOf(id));
      if (random() < 0.3) {
        const second = tierIds[Math.floor(random() * tierIds.length)] as string;
        if (second !== first) emailsByTier.get(second)?.push(emailOf(id));
      }
    }
    const deps: RolloutDeps = {
      config,
      store,
      presenter: createRolloutPresenter(config),
      chat,
      clock,
      wallClock: createSystemClock(),
      logger,
      ec2: sim.ec2,
      tiers: sim.dominoTiers,
      tierUsers: {
        usersByTier: async (ids) => new Map(ids.map((id) => [id, emailsByTier.get(id) ?? []])),
      },
      domino: sim.dominoApi,
      tasks: createBackgroundTasks(logger),
      owner: 'bench',
    };
    const now = clock.now();
    const change = sampleChange({
      _id: 'chg-20260901-bnch',
      requester: BENCH_ADMIN,
      createdAt: now,
      deadline: new Date(now.getTime() + 86_400_000),
      updates: tierIds.map((id) => ({ ...(tierUpdates(1)[0] as TierUpdatePlan), id, label: id })),
      channel: BENCH_CHANNEL,
    });
    await store.changes.insert(change);

    const started = performance.now();
    const startedAt = Date.now();
    const summary = await announceChange(deps, change._id);
    const seconds = (performance.now() - started) / 1000;

    const dms = fake.callsTo('chat.postMessage').filter((c) => c.status === 200 && dmUser(c) !== undefined);
    const perUser = new Map<string, number>();
    for (const call of dms) {
      const user = dmUser(call) as string;
      perUser.set(user, (perUser.get(user) ?? 0) + 1);
    }
    const lost = userIds.filter((id) => !perUser.has(id)).length;
    const duplicates = [...perUser.values()].filter((n) => n > 1).length;
    const opens = fake.callsTo('conversations.open');
    const dmPhaseStart = Math.min(
      ...fake
        .callsTo('chat.postMessage')
        .filter((c) => dmUser(c))
        .map((c) => c.at),
    );
    const dmPhaseEnd = Math.max(...dms.map((c) => c.at));
    const floor = options.users / options.limitPerSecond;
    const count = (method: string, status: number) => fake.callsTo(method).filter((c) => c.status === status).length;
    return {
      users: options.users,
      seconds: round(seconds, 2),
      lost,
      duplicates,
      floor_s: round(floor, 2),
      ratio_to_floor: round(seconds / floor, 3),
      dm_phase_s: round((dmPhaseEnd - dmPhaseStart) / 1000, 2),
      dm_phase_ratio_to_floor: round((dmPhaseEnd - dmPhaseStart) / 1000 / floor, 3),
      // Lookups and DMs overlap: this is the time to the first DM, not a phase of its own.
      first_dm_after_s: round((dmPhaseStart - startedAt) / 1000, 2),
      limit_per_second: options.limitPerSecond,
      random_429_probability: options.random429,
      dm_concurrency: config.rollout.dmConcurrency,
      calls: {
        'users.lookupByEmail': fake.callsTo('users.lookupByEmail').length,
        'conversations.open': opens.length,
        'chat.postMessage': fake.callsTo('chat.postMessage').length,
        answered_429: fake.calls.filter((c) => c.status === 429).length,
        // Each random 429 is queued for the method's next call, so the rest of chat.postMessage's are the limit's.
        answered_429_by_limit: count('chat.postMessage', 429) - (injected.get('chat.postMessage') ?? 0),
        injected_random_429: Object.fromEntries(injected),
      },
      summary: summary && {
        dmSent: summary.dmSent,
        failed: summary.failed,
        unknownEmails: summary.unknownEmails,
        alreadyNotified: summary.alreadyNotified,
      },
    };
  } finally {
    await fake.close();
  }
}
