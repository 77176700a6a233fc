// Kills a bot process at a chosen moment (no cleanup at all, like SIGKILL) and lets a second
// process on the same database and the same simulated AWS account take over.

import { createMemoryStateStore } from '../../src/adapters/memory/memory-state-store.js';
import type { BakeRecord, BakeStepName } from '../../src/bake/bake-record.js';
import type { Ec2Port } from '../../src/ports/ec2.js';
import type { SsmPort } from '../../src/ports/ssm.js';
import type { StateStore } from '../../src/ports/state-store.js';
import { simClockStartAfter } from '../../src/sandbox-startup.js';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { createSimWorld, type SimWorld, seedDemoWorld } from '../../src/sim/sim-world.js';
import { type Harness, startHarness } from './bot-harness.js';
import { type FakeSlack, startFakeSlack } from './fake-slack.js';
import { uniqueDbName } from './mongo.js';
import { driveUntil } from './time-driver.js';

/** Where the first process dies: right after a step's checkpoint, after the n-th call of one port method, or after the n-th port call of any kind. */
export type CrashAt =
  | { kind: 'step-done'; step: BakeStepName }
  | { kind: 'port'; call: string; nth?: number }
  | { kind: 'any-call'; nth: number };

export interface CrashRun {
  bake: BakeRecord;
  world: SimWorld;
  /** False when the bake ended before the crash point was reached. */
  died: boolean;
  originalTemplateState: string;
  /** The texts posted in the bake's thread, by both processes. */
  thread: string[];
  /** The world the second process ran against (a fresh one with `restartWorld`). */
  secondWorld: SimWorld;
}

export interface CrashOptions {
  faults?: string[];
  seed?: number;
  /** Share an in-memory store between both processes instead of FerretDB (fast matrix runs). */
  memoryState?: boolean;
  /**
   * Sandbox mode with a persistent store, as main.ts wires it: the second process gets a fresh simulated world
   * and a simulated clock that starts where the first one's writes stopped.
   */
  restartWorld?: boolean;
  /** Runs between the two processes, e.g. to make the record look like one an older release wrote. */
  beforeResume?: (at: { database: string; bakeId: string }) => Promise<void>;
}

/** Waits for `check`, the bots' manual clock moving on meanwhile (test/support/time-driver.ts). */
export function until<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  return driveUntil('the bake', check, { realLimitMs: timeoutMs });
}

function crashingPorts(crash: CrashAt, die: () => void, isDead: () => boolean) {
  const counts = new Map<string, number>();
  let total = 0;
  const wrap = <T extends object>(port: T): T =>
    new Proxy(port, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          if (isDead()) throw new Error('this process has died');
          const result = await value.apply(target, args);
          total++;
          const n = (counts.get(String(key)) ?? 0) + 1;
          counts.set(String(key), n);
          if (crash.kind === 'port' && key === crash.call && n === (crash.nth ?? 1)) die();
          if (crash.kind === 'any-call' && total === crash.nth) die();
          return result;
        };
      },
    });
  return (ports: { ec2: Ec2Port; ssm: SsmPort }) => ({ ec2: wrap(ports.ec2), ssm: wrap(ports.ssm) });
}

const isEnded = (bake: BakeRecord | undefined) =>
  bake !== undefined && ['succeeded', 'failed', 'cancelled'].includes(bake.status);

export async function crashAndResume(crash: CrashAt, options: CrashOptions = {}): Promise<CrashRun> {
  const world = seedDemoWorld(createSimWorld({ deployment: 'acme', seed: options.seed ?? 1 }));
  const originalTemplateState = [...world.instances.values()].find((i) =>
    i.tags.Name?.includes('executor-template'),
  )!.state;
  const clock = createManualClock(new Date());
  const fake: FakeSlack = await startFakeSlack();
  const database = uniqueDbName('crash');
  const shared: StateStore | undefined = options.memoryState ? createMemoryStateStore() : undefined;
  const opened: Harness[] = [];
  const common = {
    world,
    clock,
    fake,
    database,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(shared ? { store: shared } : {}),
    tweak: (config: { bake: { leaseSeconds: number }; sandbox: boolean }) => {
      config.bake.leaseSeconds = 120;
      if (options.restartWorld) config.sandbox = true;
    },
  };
  try {
    let died = false;
    let first: Harness | undefined;
    const die = () => {
      if (died) return;
      died = true;
      first?.bot.runner.abandon();
    };
    first = await startHarness({ ...common, wrap: crashingPorts(crash, die, () => died) });
    opened.push(first);
    if (crash.kind === 'step-done') {
      const checkpoint = first.store.bakes.checkpoint.bind(first.store.bakes);
      first.store.bakes.checkpoint = async (id, owner, change) => {
        const ok = await checkpoint(id, owner, change);
        if (change.steps?.[crash.step]?.state === 'done') die();
        return ok;
      };
    }
    const store = first.store;
    await first.slash('bake', { responseId: 'start' });
    const [started] = await until(async () => {
      const list = await store.bakes.listRecent(1);
      return list.length ? list : undefined;
    });
    await until(async () => (died || isEnded(await store.bakes.get(started!._id)) ? true : undefined), 60_000);
    await first.bot.runner.idle();

    await options.beforeResume?.({ database, bakeId: started!._id });
    let secondWorld = world;
    let restart = {};
    if (options.restartWorld) {
      secondWorld = seedDemoWorld(createSimWorld({ deployment: 'acme', seed: options.seed ?? 1 }));
      const start = await simClockStartAfter(store, clock.now());
      restart = {
        world: secondWorld,
        clock: createManualClock(start),
        simWorldStartedAt: start,
      };
    }
    const second = await startHarness({ ...common, ...restart });
    opened.push(second);
    const bake = await until(async () => {
      const current = await second.store.bakes.get(started!._id);
      return isEnded(current) ? current : undefined;
    }, 60_000);
    await second.bot.runner.idle();
    const thread = fake
      .callsTo('chat.postMessage')
      .filter((call) => call.args.thread_ts === bake.rootTs)
      .map((call) => String(call.args.text ?? ''));
    return { bake, world, died, originalTemplateState, thread, secondWorld };
  } finally {
    for (const harness of opened) await harness.close({ keepStore: Boolean(shared) });
    await fake.close();
  }
}
