import { afterEach, describe, expect, it } from 'vitest';
import { BAKE_STEPS, type BakeRecord, type BakeStepName } from '../../src/bake/bake-record.js';
import { BAKE_ID_TAG } from '../../src/bake/image-tags.js';
import type { Clock, Ec2Port, SsmPort } from '../../src/ports.js';
import { createScaledClock } from '../../src/sim/scaled-clock.js';
import { createSimWorld, type SimWorld, seedDemoWorld } from '../../src/sim/sim-world.js';
import { type Harness, startHarness } from '../support/bot-harness.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { uniqueDbName } from '../support/mongo.js';

const open: Harness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

/** A crash point: the moment the first process dies, with the world already changed by the call. */
type CrashAt = { kind: 'step-done'; step: BakeStepName } | { kind: 'port'; call: string; nth?: number };

interface Shared {
  world: SimWorld;
  clock: Clock;
  fake: FakeSlack;
  database: string;
}

async function shared(): Promise<Shared> {
  return {
    world: seedDemoWorld(createSimWorld({ deployment: 'acme' })),
    clock: createScaledClock({ speed: 1_000 }),
    fake: await startFakeSlack(),
    database: uniqueDbName('resume'),
  };
}

/**
 * Wraps every port method so the process "dies" right after the chosen call returns; a dead process
 * makes no further call (a real crash leaves no zombie work behind).
 */
function crashingPorts(crash: CrashAt, die: () => void, isDead: () => boolean) {
  const counts = new Map<string, number>();
  const wrap = <T extends object>(port: T): T =>
    new Proxy(port, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          if (isDead()) throw new Error('this process has died');
          const result = await value.apply(target, args);
          if (crash.kind !== 'port' || key !== crash.call) return result;
          const n = (counts.get(key) ?? 0) + 1;
          counts.set(key, n);
          if (n === (crash.nth ?? 1)) die();
          return result;
        };
      },
    });
  return (ports: { ec2: Ec2Port; ssm: SsmPort }) => ({ ec2: wrap(ports.ec2), ssm: wrap(ports.ssm) });
}

async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function crashAndResume(crash: CrashAt): Promise<{ bake: BakeRecord; world: SimWorld; died: boolean }> {
  const s = await shared();
  let died = false;
  let first: Harness | undefined;
  const die = () => {
    if (died) return;
    died = true;
    first?.bot.runner.abandon();
  };
  first = await startHarness({
    ...s,
    tweak: (config) => {
      config.bake.leaseSeconds = 120;
    },
    wrap: crashingPorts(crash, die, () => died),
  });
  open.push(first);
  if (crash.kind === 'step-done') {
    const save = first.store.bakes.save.bind(first.store.bakes);
    first.store.bakes.save = async (id, owner, patch) => {
      const ok = await save(id, owner, patch);
      if (patch[`steps.${crash.step}.state`] === 'done') die();
      return ok;
    };
  }
  await first.slash('bake', { responseId: 'start' });
  const [started] = await until(async () => {
    const list = await first.store.bakes.listRecent(1);
    return list.length ? list : undefined;
  });
  await until(async () => (died ? true : undefined));
  await first.bot.runner.idle();

  // A new process on the same database (same AWS world, same Slack) takes over once the lease expires.
  const second = await startHarness({ ...s, tweak: (config) => void (config.bake.leaseSeconds = 120) });
  open.push(second);
  if (process.env.DEBUG_RESUME) {
    const save2 = second.store.bakes.save.bind(second.store.bakes);
    second.store.bakes.save = async (id, owner, patch) => {
      const ok = await save2(id, owner, patch);
      console.log('B save', ok, JSON.stringify(patch).slice(0, 150));
      return ok;
    };
  }
  const bake = await until(async () => {
    const b = await second.store.bakes.get(started!._id);
    return b && ['succeeded', 'failed', 'cancelled'].includes(b.status) ? b : undefined;
  });
  await second.bot.runner.idle();
  return { bake, world: s.world, died };
}

function assertCleanSuccess(bake: BakeRecord, world: SimWorld): void {
  expect(bake.status, JSON.stringify(bake.error)).toBe('succeeded');
  const ours = [...world.images.values()].filter((image) => image.tags[BAKE_ID_TAG] === bake._id);
  expect(ours).toHaveLength(1);
  expect(ours[0]!.id).toBe(bake.facts.imageId);
  expect(ours[0]!.state).toBe('available');
  const scripts = world.commands.map((c) => c.commands.join('\n'));
  expect(scripts.filter((script) => script.includes('state.highstate'))).toHaveLength(1);
  const template = [...world.instances.values()].find((i) => i.tags.Name?.includes('executor-template'))!;
  expect(template.state).toBe('stopped');
  expect(BAKE_STEPS.filter((step) => bake.steps[step].state !== 'done')).toEqual([]);
}

describe('a bake survives its process dying and is resumed by another one', () => {
  for (const step of BAKE_STEPS.slice(0, -1)) {
    it(`crash right after "${step}" completes`, async () => {
      const { bake, world, died } = await crashAndResume({ kind: 'step-done', step });
      expect(died).toBe(true);
      assertCleanSuccess(bake, world);
    });
  }

  const midStep: Array<[string, CrashAt]> = [
    ['after StartInstances, before anything is saved', { kind: 'port', call: 'startInstance' }],
    ['after the inventory command was sent, before its id is saved', { kind: 'port', call: 'sendShellCommand' }],
    ['after the second docker pull was sent', { kind: 'port', call: 'sendShellCommand', nth: 3 }],
    ['after highstate was sent, before its id is saved', { kind: 'port', call: 'sendShellCommand', nth: 5 }],
    ['after CreateImage, before the image id is saved', { kind: 'port', call: 'createImage' }],
    ['while waiting for the image', { kind: 'port', call: 'describeImages', nth: 2 }],
    ['after StopInstances during restore', { kind: 'port', call: 'stopInstance' }],
  ];
  for (const [name, crash] of midStep) {
    it(`crash ${name}`, async () => {
      const { bake, world, died } = await crashAndResume(crash);
      expect(died).toBe(true);
      assertCleanSuccess(bake, world);
    });
  }
});
