// One bake of the real bot (createBot: start-bake use case, runner, every step, in-memory state store) on the
// simulator driven by a manual clock, and what the simulator recorded about it: the AWS side's own durations
// (instance start, each SSM command from send to end, image pending time, instance stop), so the bot's
// overhead is what is left of the bake's virtual duration.
import { createMemoryStateStore } from '../../src/adapters/memory/memory-state-store.js';
import type { BakeRecord, BakeStepName } from '../../src/bake/bake-record.js';
import { BAKE_STEPS } from '../../src/bake/bake-steps.js';
import { createBot } from '../../src/bot.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { StateStore } from '../../src/ports/state-store.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { createManualClock, createSimulator, type SimTimings } from '../../src/sim/index.js';
import { BENCH_ADMIN, BENCH_BOT_IDS, BENCH_CHANNEL, BENCH_SECRET, BENCH_TOKEN } from './fixtures.js';
import { createTimedChat } from './timed-chat.js';

const GB = 1000 ** 3;

/** Six environment images: the demo world's four plus two more, 2.4–6.1 GB each, as a Domino site might have. */
export const BAKE_IMAGES: Array<{ ref: string; bytes?: number }> = [
  { ref: 'quay.io/domino/base:DED_py3.6_R3.4_23052018' },
  { ref: 'quay.io/domino/compute-environment-images:ubuntu20-py3.9-r4.2-domino5.5-standard' },
  { ref: 'quay.io/domino/spark-environment:3.3.0-py3.9-domino5.5' },
  { ref: 'registry.acme.example/ds/nlp-env:2026.07' },
  { ref: 'quay.io/domino/rstudio-environment:2026.05-r4.4', bytes: 3.1 * GB },
  { ref: 'registry.acme.example/ds/vision-env:2026.06', bytes: 2.4 * GB },
];

/** Instance transitions the simulator does not log: fixed, so the critical path can include them exactly. */
export const FIXED_INSTANCE_TIMINGS: Partial<SimTimings> = {
  instanceStart: { min: 45_000, max: 45_000 },
  agentRegister: { min: 20_000, max: 20_000 },
  instanceStop: { min: 30_000, max: 30_000 },
};

export interface SimBakeOptions {
  seed: number;
  /** Overrides of the production defaults (config-schema.ts), e.g. pullConcurrency or image poll delays. */
  bake?: Partial<Config['bake']>;
  timings?: Partial<SimTimings>;
  /** Virtual ms per manual-clock step (sleepers inside a step still wake at their exact due time). */
  stepMs?: number;
}

export interface SimBakeResult {
  status: string;
  /** Virtual ms from the bake's creation to its end. */
  durationMs: number;
  /** Virtual ms AWS itself needed on the bake's path (see criticalPath). */
  criticalMs: number;
  aws: {
    startMs: number;
    inventoryMs: number;
    pullMakespanMs: number;
    pullDurationsMs: number[];
    /** Docker's own time per pull (start → end on the host, without SSM delivery). */
    pullRunMs: number[];
    highstateMs: number;
    imageMs: number;
    stopMs: number;
  };
  /** Virtual ms from the image turning `available` to the thread saying so. */
  detectLagMs: number;
  stepMs: Record<BakeStepName, number>;
  /** Per step: its virtual duration minus AWS's part of it (the bot's polling lag and scheduling). */
  overheadByStepMs: Record<string, number>;
  /** Real ms the whole run took: an upper bound of the bot's (and the simulator's) processing time. */
  wallMs: number;
  /** Calls the bake made to its state store (each one a MongoDB round trip in production). */
  storeCalls: number;
  clockSteps: number;
}

function benchConfig(images: string[]): Config {
  return loadConfig(
    {
      SLACK_BOT_TOKEN: BENCH_TOKEN,
      SLACK_SIGNING_SECRET: BENCH_SECRET,
      AMIBOT_OPS_CHANNELS: BENCH_CHANNEL,
      AMIBOT_ADMINS: BENCH_ADMIN,
      AMIBOT_DEPLOYMENT: 'acme',
      AMIBOT_IMAGES: images.join(','),
      MONGODB_URI: 'mongodb://127.0.0.1:1/unused',
      LOG_LEVEL: 'silent',
    },
    () => '',
  );
}

/** Greedy list scheduling in order on `lanes` workers: what the bot's pull pool achieves with zero lag. */
export function makespan(durations: number[], lanes: number): number {
  const busy = Array.from({ length: Math.max(1, lanes) }, () => 0);
  for (const d of durations) {
    const i = busy.indexOf(Math.min(...busy));
    busy[i] = (busy[i] as number) + d;
  }
  return Math.max(...busy);
}

const ms = (date: Date | undefined) => date?.getTime() ?? Number.NaN;

export async function runSimBake(options: SimBakeOptions): Promise<SimBakeResult> {
  const clock = createManualClock(new Date('2026-09-01T09:00:00Z'));
  const timings = { ...FIXED_INSTANCE_TIMINGS, ...options.timings };
  const sim = createSimulator({ clock, seed: options.seed, timings, write: () => undefined });
  for (const image of BAKE_IMAGES) if (image.bytes) sim.world.registry.define(image.ref, image.bytes);
  // A mutable copy: the validated config is frozen.
  const config = structuredClone(benchConfig(BAKE_IMAGES.map((i) => i.ref)));
  Object.assign(config.bake, options.bake);
  const counted = countCalls(createMemoryStateStore());
  const store = counted.store;
  const chat = createTimedChat(clock);
  const bot = createBot({
    config,
    logger: createSilentLogger(),
    ec2: sim.ec2,
    ssm: sim.ssm,
    store,
    clock,
    chat,
    tiers: sim.dominoTiers,
    tierUsers: sim.tierUsers,
    owner: 'bench',
    botIds: BENCH_BOT_IDS,
    review: { enabled: false },
  });

  const wallStart = performance.now();
  await bot.useCases.startBake({ userId: BENCH_ADMIN, channelId: BENCH_CHANNEL, noReboot: false });
  const stepMs = options.stepMs ?? 5_000;
  let bake: BakeRecord | undefined;
  let clockSteps = 0;
  for (;;) {
    await clock.advance(stepMs);
    clockSteps++;
    [bake] = await store.bakes.listRecent(1);
    if (bake && !['running', 'compensating'].includes(bake.status)) break;
    if (clockSteps > (4 * 3_600_000) / stepMs) throw new Error('the simulated bake did not end within 4 virtual hours');
  }
  await bot.runner.idle();
  const wallMs = performance.now() - wallStart;
  await bot.stop();
  if (!bake) throw new Error('no bake was recorded');
  if (bake.status !== 'succeeded') throw new Error(`the simulated bake ${bake.status}: ${bake.error?.message ?? ''}`);

  // What AWS took, from the simulator's own records.
  const world = sim.world;
  const command = (key: string) => {
    const found = world.commands.find((c) => c.comment === `ami-bot ${bake!._id} ${key}`);
    if (!found?.endMs) throw new Error(`no finished SSM command ${key}`);
    return found;
  };
  const span = (key: string) => {
    const c = command(key);
    return (c.endMs as number) - c.sentMs;
  };
  const pullKeys = bake.images.map((_ref, i) => `pull-${i}-a1`);
  const pullDurationsMs = pullKeys.map(span);
  const pullRunMs = pullKeys.map((key) => {
    const c = command(key);
    return (c.endMs as number) - (c.startMs as number);
  });
  const image = world.images.get(bake.facts.imageId as string);
  const snapshot = image && world.snapshots.get(image.snapshotIds[0] as string);
  if (!image || !snapshot) throw new Error('the baked image is not in the simulated account');
  const availableAt = snapshot.completeMs;
  const t = world.timings;
  const aws = {
    startMs: t.instanceStart.min + t.agentRegister.min,
    inventoryMs: span('inventory'),
    pullMakespanMs: makespan(pullDurationsMs, config.bake.pullConcurrency),
    pullDurationsMs,
    pullRunMs,
    highstateMs: span('highstate'),
    imageMs: availableAt - image.creationMs,
    stopMs: t.instanceStop.min,
  };
  const criticalMs = aws.startMs + aws.inventoryMs + aws.pullMakespanMs + aws.highstateMs + aws.imageMs + aws.stopMs;
  const said = chat.posts.find((p) => p.atMs >= availableAt && / available after /.test(p.text));
  const stepDuration = Object.fromEntries(
    BAKE_STEPS.map((step) => [step, ms(bake!.steps[step]?.endedAt) - ms(bake!.steps[step]?.startedAt)]),
  ) as Record<BakeStepName, number>;
  const awsPart: Partial<Record<BakeStepName, number>> = {
    'start-template': aws.startMs,
    inventory: aws.inventoryMs,
    pull: aws.pullMakespanMs,
    highstate: aws.highstateMs,
    'restore-template': aws.stopMs,
  };
  const overheadByStepMs: Record<string, number> = {};
  for (const step of BAKE_STEPS) {
    if (step === 'snap' || step === 'wait-image') continue;
    overheadByStepMs[step] = stepDuration[step] - (awsPart[step] ?? 0);
  }
  overheadByStepMs['snap+wait-image'] = stepDuration.snap + stepDuration['wait-image'] - aws.imageMs;
  return {
    status: bake.status,
    durationMs: ms(bake.endedAt) - ms(bake.createdAt),
    criticalMs,
    aws,
    detectLagMs: said ? said.atMs - availableAt : Number.NaN,
    stepMs: stepDuration,
    overheadByStepMs,
    wallMs,
    storeCalls: counted.calls(),
    clockSteps,
  };
}

/** Wraps every repository method of the store with a counter. */
function countCalls(inner: StateStore): { store: StateStore; calls: () => number } {
  let calls = 0;
  const wrap = <T extends object>(repo: T): T =>
    new Proxy(repo, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls++;
          return value.apply(target, args);
        };
      },
    });
  const store = Object.fromEntries(
    Object.entries(inner).map(([key, value]) => [
      key,
      typeof value === 'object' && value !== null ? wrap(value) : value,
    ]),
  ) as unknown as StateStore;
  return { store, calls: () => calls };
}
