// Plan + apply + verify of a tier change on a MongoDB-wire server (FerretDB v1.24.2 via test/support/ferretdb.ts,
// or the server in MONGODB_TEST_URI) for growing numbers of tiers, through the real Mongo DominoTiersPort
// adapter, against a per-document update loop. Round trips: the driver's command monitoring ('commandStarted').
//
// What FerretDB v1.24.2 (SQLite backend) does with these writes, from its source:
// - a filter is pushed down to SQL only when it is exactly `{_id: <string|ObjectId>}`
//   (internal/backends/sqlite/collection.go, Query): a guarded `{_id, executorImage}` statement scans the table;
// - `update` defers closing each statement's query iterator to the end of the whole command
//   (internal/handler/msg_update.go, `defer closer.Close()` inside the loop) and the SQLite pool has 100
//   connections (metadata/pool/opendb.go): an `update` with 100 or more non-multi statements never answers.
// So every run here has a deadline; a run that misses it is reported as such (and the server restarted), and a
// run projected past `fullLimitSeconds` is replaced by a timed sample, reported as `projected_*`.
import { type Collection, type Document, MongoClient } from 'mongodb';
import { createMemoryStateStore } from '../src/adapters/memory/memory-state-store.js';
import { createMongoDominoTiers } from '../src/adapters/mongo/domino-tiers.js';
import type { BakeRecord } from '../src/bake/bake-record.js';
import { newStepTable } from '../src/bake/bake-steps.js';
import { bakeImageTags } from '../src/bake/image-tags.js';
import { loadConfig } from '../src/config.js';
import type { DominoTiersPort, TierImageUpdate } from '../src/ports/domino.js';
import type { Ec2Port, ImageInfo } from '../src/ports/ec2.js';
import type { AmiTestRecord } from '../src/rollout/ami-test-record.js';
import { classifyTiers } from '../src/rollout/classify-tiers.js';
import { createRollout } from '../src/rollout/create-rollout.js';
import { createBackgroundTasks } from '../src/shared/background-tasks.js';
import { createSilentLogger } from '../src/shared/logger.js';
import { createSystemClock } from '../src/shared/system-clock.js';
import { createSimulator } from '../src/sim/index.js';
import { createRolloutPresenter } from '../src/slack/rollout-presenter.js';
import { type FerretDbServer, startFerretDb } from '../test/support/ferretdb.js';
import { BENCH_ADMIN, BENCH_CHANNEL, BENCH_SECRET, BENCH_TOKEN } from './lib/fixtures.js';
import { round } from './lib/stats.js';
import { createTimedChat } from './lib/timed-chat.js';

export interface ApplyOptions {
  sizes: number[];
  /** Deadline of one full run, and the projection beyond which a full run is not attempted. */
  fullLimitSeconds: number;
  /** Most statements timed to project a run (fewer on large collections, where each one scans them all). */
  sample: number;
  log?: (line: string) => void;
}

const COLLECTION = 'executor_group_configuration';
type TierDoc = Document & { _id: string; executorImage: string };

interface Connection {
  server?: FerretDbServer;
  client: MongoClient;
  collection: Collection<TierDoc>;
  tiers: DominoTiersPort;
  roundTrips: { total(): number; byCommand(): Record<string, number>; reset(): void };
  close(): Promise<void>;
}

async function connect(): Promise<Connection> {
  const external = process.env.MONGODB_TEST_URI;
  const server = external ? undefined : await startFerretDb();
  const client = new MongoClient(external ?? (server as FerretDbServer).uri, {
    monitorCommands: true,
    serverSelectionTimeoutMS: 10_000,
  });
  let counts = new Map<string, number>();
  client.on('commandStarted', (event) => counts.set(event.commandName, (counts.get(event.commandName) ?? 0) + 1));
  await client.connect();
  const db = client.db('domino_bench');
  return {
    ...(server ? { server } : {}),
    client,
    collection: db.collection<TierDoc>(COLLECTION),
    tiers: createMongoDominoTiers({ db, collection: COLLECTION, labelField: 'name' }),
    roundTrips: {
      total: () => [...counts.values()].reduce((a, b) => a + b, 0),
      byCommand: () => Object.fromEntries(counts),
      reset: () => {
        counts = new Map();
      },
    },
    async close() {
      await client.close(true).catch(() => undefined);
      if (external) await db.dropDatabase().catch(() => undefined);
      await server?.stop();
    },
  };
}

class Deadline extends Error {}

async function timed<T>(work: () => Promise<T>, limitSeconds = Number.POSITIVE_INFINITY) {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    if (Number.isFinite(limitSeconds)) timer = setTimeout(() => reject(new Deadline()), limitSeconds * 1000);
  });
  try {
    const value = await Promise.race([work(), deadline]);
    return { value, seconds: (performance.now() - start) / 1000 };
  } finally {
    clearTimeout(timer);
  }
}

/** `count` items spread evenly over the list: a sample that scans as far, on average, as the whole. */
function spread<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  return Array.from({ length: count }, (_, i) => items[Math.floor(((i + 0.5) * items.length) / count)] as T);
}

/** The per-document loop: one guarded updateOne per tier, each its own command. */
async function updateLoop(collection: Collection<TierDoc>, updates: TierImageUpdate[]) {
  for (const u of updates) {
    await collection.updateOne({ _id: u.id, executorImage: u.from }, { $set: { executorImage: u.to } });
  }
}

/** The adapter's bulk write with `updateMany` statements: same guard (an `_id` matches one tier at most), but
 * FerretDB drains each statement's iterator, so 100+ statements no longer exhaust its connection pool. */
async function bulkUpdateMany(collection: Collection<TierDoc>, updates: TierImageUpdate[]) {
  await collection.bulkWrite(
    updates.map((u) => ({
      updateMany: { filter: { _id: u.id, executorImage: u.from }, update: { $set: { executorImage: u.to } } },
    })),
    { ordered: false },
  );
}

export async function benchApply(options: ApplyOptions) {
  const log = options.log ?? (() => undefined);
  const limit = options.fullLimitSeconds;
  const sim = createSimulator({ write: () => undefined });
  const byName = (name: string) => [...sim.world.images.values()].find((i) => i.name === name)?.id as string;
  const target = byName('domino-acme-executor-20260815-0900');
  // The rollout gate wants the target from a succeeded bake of acme: give the seed's AMI that bake's tags.
  const targetImage = sim.world.images.get(target);
  if (targetImage) targetImage.tags = bakeImageTags(benchBake(target));
  const old = byName('domino-acme-executor-20260510-1400');
  const special = byName('ubuntu-16.04-gpu-custom');
  const start = await timed(connect);
  let conn = start.value;
  const restart = async () => {
    await conn.close();
    conn = await connect();
  };

  const seed = async (n: number) => {
    await conn.collection.drop().catch(() => undefined);
    for (let i = 0; i < n; i += 5_000) {
      const docs = Array.from({ length: Math.min(5_000, n - i) }, (_, k) => {
        const index = i + k;
        // One tier in a hundred is special (a custom GPU AMI): the plan must skip it.
        return {
          _id: `tier-${String(index).padStart(6, '0')}`,
          name: `Tier ${index}`,
          instanceType: 'm5.2xlarge',
          isDefault: index === 0,
          executorImage: index % 100 === 99 ? special : old,
        };
      });
      await conn.collection.insertMany(docs, { ordered: false });
    }
  };
  const plan = async (): Promise<TierImageUpdate[]> => {
    const listed = await conn.tiers.listTiers();
    const ids = [...new Set(listed.map((t) => t.executorImage))];
    const images = new Map<string, ImageInfo>((await sim.ec2.describeImages(ids)).map((i) => [i.id, i]));
    const classified = classifyTiers({ deployment: 'acme', pinned: [], target, tiers: listed, images });
    return classified.updates.map(({ id, idType, from, to }) => ({ id, idType: idType ?? 'string', from, to }));
  };
  const verified = async () => (await conn.tiers.listTiers()).filter((t) => t.executorImage === target).length;

  /** A full run (plan, write, verify) within the deadline, or what became of it. */
  const fullRun = async (name: string, write: (updates: TierImageUpdate[]) => Promise<unknown>) => {
    conn.roundTrips.reset();
    try {
      const run = await timed(async () => {
        const updates = await plan();
        await write(updates);
        return { planned: updates.length, verified: await verified() };
      }, limit);
      return {
        seconds: round(run.seconds, 2),
        round_trips: conn.roundTrips.total(),
        by_command: conn.roundTrips.byCommand(),
        ...run.value,
      };
    } catch (error) {
      if (!(error instanceof Deadline)) throw error;
      const sent = conn.roundTrips.byCommand();
      log(`apply: ${name}: no answer within ${limit} s; restarting the server`);
      await restart();
      return { seconds: null, no_answer_within_s: limit, commands_sent: sent };
    }
  };
  /** Times `count` statements spread over the plan on the full-size collection and projects the whole. */
  const projection = async (n: number, planned: TierImageUpdate[], count: number, write: typeof updateLoop) => {
    const sample = spread(planned, count);
    const run = await timed(() => write(conn.collection, sample), limit);
    await seed(n);
    return {
      statements: sample.length,
      seconds: round(run.seconds, 3),
      projected_seconds: round((run.seconds * planned.length) / sample.length, 1),
    };
  };

  const results = [];
  try {
    for (const n of options.sizes) {
      log(`apply: ${n} tiers`);
      await seed(n);
      conn.roundTrips.reset();
      const listing = await timed(() => conn.tiers.listTiers());
      const listRoundTrips = conn.roundTrips.byCommand();
      const planned = await plan();
      // Fewer sampled statements on big collections: each guarded statement may scan all n documents.
      const count = Math.max(5, Math.min(options.sample, Math.floor(200_000 / n)));

      log(`apply: ${n} tiers: the adapter's bulk write (${planned.length} guarded updateOne)`);
      const adapter = await fullRun('adapter bulk write', async (updates) => conn.tiers.applyImageUpdates(updates));
      await seed(n);

      let useCases: Record<string, unknown> | undefined;
      if (adapter.seconds !== null) {
        log(`apply: ${n} tiers: rollout use cases`);
        conn.roundTrips.reset();
        useCases = await timed(() => runUseCases(conn.tiers, sim.ec2, target), limit)
          .then(({ value }) => ({
            ...value,
            round_trips: conn.roundTrips.total(),
            by_command: conn.roundTrips.byCommand(),
          }))
          .catch(async (error: unknown) => {
            if (error instanceof Deadline) await restart();
            return {
              seconds: null,
              error: error instanceof Deadline ? `no answer within ${limit} s` : String(error).slice(0, 200),
            };
          });
        await seed(n);
      }

      log(`apply: ${n} tiers: per-document loop`);
      const loopSample = await projection(n, planned, count, updateLoop);
      const loop =
        loopSample.projected_seconds <= limit
          ? await fullRun('loop', (u) => updateLoop(conn.collection, u))
          : undefined;
      await seed(n);

      log(`apply: ${n} tiers: bulk write of updateMany statements`);
      const manySample = await projection(n, planned, count, bulkUpdateMany);
      const many =
        manySample.projected_seconds <= limit
          ? await fullRun('updateMany bulk', (u) => bulkUpdateMany(conn.collection, u))
          : undefined;

      const bot = useCases?.seconds != null ? useCases : adapter;
      results.push({
        tiers: n,
        planned: planned.length,
        seconds: bot.seconds ?? null,
        round_trips: bot.seconds == null ? null : bot.round_trips,
        loop_seconds: loop?.seconds ?? null,
        path: useCases?.seconds != null ? 'rollout use cases' : 'adapter (listTiers + applyImageUpdates + listTiers)',
        list_tiers: { seconds: round(listing.seconds, 2), round_trips: listRoundTrips },
        adapter,
        use_cases: useCases ?? { skipped: 'the adapter run did not finish' },
        loop: loop ?? { skipped: `projected ${loopSample.projected_seconds} s > ${limit} s`, sample: loopSample },
        loop_projected_seconds: loopSample.projected_seconds,
        update_many_bulk: many ?? { skipped: `projected ${manySample.projected_seconds} s > ${limit} s` },
        update_many_bulk_projected_seconds: manySample.projected_seconds,
      });
    }
  } finally {
    await conn.close();
  }
  return {
    server: process.env.MONGODB_TEST_URI ? 'MONGODB_TEST_URI' : 'FerretDB v1.24.2 (SQLite)',
    server_start_s: round(start.seconds, 2),
    sizes: results,
  };
}

const BENCH_BAKE_ID = 'bake-20260815-bnch';

/** The succeeded bake the gate looks for behind the target AMI (pure). */
function benchBake(imageId: string): BakeRecord {
  const at = new Date('2026-08-15T09:00:00Z');
  return {
    _id: BENCH_BAKE_ID,
    deployment: 'acme',
    requester: BENCH_ADMIN,
    channel: BENCH_CHANNEL,
    images: [],
    noReboot: false,
    status: 'succeeded',
    steps: newStepTable(),
    facts: { imageId, imageName: 'domino-acme-executor-20260815-0900' },
    createdAt: at,
    updatedAt: at,
  };
}

/** A passed, proven test of the target (the gate's test half; what the bench times comes after it). */
function benchTest(amiId: string, at: Date): AmiTestRecord {
  return {
    _id: 'test-20260815-bnch',
    deployment: 'acme',
    requester: BENCH_ADMIN,
    amiId,
    bakeId: BENCH_BAKE_ID,
    tierId: 'test-tier',
    tierLabel: 'test tier',
    previousAmi: amiId,
    channel: BENCH_CHANNEL,
    status: 'passed',
    staleExecutors: [],
    executor: { instanceId: 'i-0bench0000000001', imageId: amiId, launchTime: at },
    seconds: { Pulling: 1 },
    statesSeen: ['Queued', 'Pulling', 'Running'],
    toRunningSeconds: 120,
    pullPassSeconds: 5,
    createdAt: at,
    endedAt: at,
  };
}

/**
 * The rollout as the Approve button drives it: planRollout (snapshot, classify, store the change, post it),
 * the approval recorded, applyChange (claim, bulk write, verify, result, drain listing). State in memory, Slack
 * a recorder: what is timed and counted is Domino's database, plus the EC2 calls the apply makes.
 */
async function runUseCases(tiers: DominoTiersPort, simEc2: Ec2Port, target: string) {
  const config = loadConfig(
    {
      SLACK_BOT_TOKEN: BENCH_TOKEN,
      SLACK_SIGNING_SECRET: BENCH_SECRET,
      AMIBOT_OPS_CHANNELS: BENCH_CHANNEL,
      AMIBOT_ADMINS: BENCH_ADMIN,
      AMIBOT_DEPLOYMENT: 'acme',
      MONGODB_URI: 'mongodb://127.0.0.1:1/unused',
      LOG_LEVEL: 'silent',
    },
    () => '',
  );
  const logger = createSilentLogger();
  const clock = createSystemClock();
  let ec2Calls = 0;
  const ec2 = Object.fromEntries(
    Object.entries(simEc2).map(([name, fn]) => [
      name,
      (...args: unknown[]) => {
        ec2Calls++;
        return (fn as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as Ec2Port;
  const tasks = createBackgroundTasks(logger);
  const store = createMemoryStateStore();
  // What the gate checks besides the tags: the bake's record and a passed test that proved its executor.
  await store.bakes.insert(benchBake(target));
  await store.amiTests.insert(benchTest(target, clock.now()));
  const rollout = createRollout({
    config,
    store,
    presenter: createRolloutPresenter(config),
    chat: createTimedChat(clock),
    clock,
    wallClock: createSystemClock(),
    logger,
    ec2,
    tiers,
    tierUsers: { usersByTier: async (ids) => new Map(ids.map((id) => [id, []])) },
    domino: createSimulator({ write: () => undefined }).dominoApi,
    tasks,
    owner: 'bench',
  });
  const start = performance.now();
  const planned = await rollout.useCases.planRollout({ userId: BENCH_ADMIN, channelId: BENCH_CHANNEL, target });
  const [change] = await store.changes.listRecent(1);
  if (!change) throw new Error(`no change planned: ${planned.text.slice(0, 200)}`);
  const planSeconds = (performance.now() - start) / 1000;
  await store.changes.decide(change._id, { outcome: 'approved', by: 'U0APPR001', at: clock.now() });
  const ec2BeforeApply = ec2Calls;
  const applyStart = performance.now();
  const done = await rollout.applyChange(change._id, 'U0APPR001');
  const applySeconds = (performance.now() - applyStart) / 1000;
  await tasks.idle();
  return {
    seconds: round(planSeconds + applySeconds, 2),
    plan_seconds: round(planSeconds, 2),
    apply_verify_seconds: round(applySeconds, 2),
    status: done?.status,
    applied: done?.result?.applied.length,
    verified: done?.result?.verified.length,
    conflicts: done?.result?.conflicts.length,
    ec2_calls_during_apply: ec2Calls - ec2BeforeApply,
  };
}
