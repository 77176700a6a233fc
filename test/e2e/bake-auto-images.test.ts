import { afterEach, describe, expect, it } from 'vitest';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { DEMO_IDS } from '../../src/sim/seed-demo-world.js';
import { createSimRegistry } from '../../src/sim/sim-registry.js';
import { createSimWorld, seedDemoWorld } from '../../src/sim/sim-world.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { type Harness, startHarness } from '../support/bot-harness.js';
import { driveUntil } from '../support/time-driver.js';

const MIB = 1024 * 1024;
const HOST = 'reg.example';
const BASE = `${HOST}/domino/base:5`;
const A = `${HOST}/team/a:1`;
const B = `${HOST}/team/b:1`;
const C = `${HOST}/team/c:1`;
const GPU = `${HOST}/team/gpu:1`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function endedBake(harness: Harness, timeoutMs = 15_000): Promise<BakeRecord> {
  return driveUntil(
    'the bake to end',
    async () => {
      const [bake] = await harness.store.bakes.listRecent(1);
      return bake && ['succeeded', 'failed', 'cancelled'].includes(bake.status) ? bake : undefined;
    },
    { realLimitMs: timeoutMs },
  );
}

/** Base (600 MiB) under A and B; C on its own stack (500 MiB); runs of the 14-day window: A 70, B 28, C 42. */
function selectionWorld() {
  const world = seedDemoWorld(createSimWorld({ deployment: 'acme' }));
  const layer = (id: string, mib: number) => ({ id: id.padEnd(64, '0'), bytes: mib * MIB });
  const os = layer('a0', 400);
  const py = layer('b0', 200);
  world.registry.put(BASE, [os, py]);
  world.registry.put(A, [os, py, layer('c1', 100)]);
  world.registry.put(B, [os, py, layer('c2', 300)]);
  world.registry.put(C, [layer('c3', 500)]);
  world.registry.put(GPU, [layer('c4', 50)]);
  world.environmentUsage.splice(
    0,
    world.environmentUsage.length,
    { environment: 'env-a', image: A, runs: 70, tiers: [{ tier: 'small-k8s', runs: 70, users: 4 }] },
    { environment: 'env-b', image: B, runs: 28, tiers: [{ tier: 'medium', runs: 28, users: 2 }] },
    { environment: 'env-c', image: C, runs: 42, tiers: [{ tier: 'large', runs: 42, users: 2 }] },
    // On the GPU tier (its own custom AMI): the executor AMI never serves these runs, so they do not count.
    { environment: 'env-gpu', image: GPU, runs: 500, tiers: [{ tier: 'gpu', runs: 500, users: 3 }] },
  );
  return { world, registry: createSimRegistry(world.registry, { strict: true }) };
}

/** The references the bake's SSM commands pulled on the template (`docker pull '<ref>'`). */
const pulledRefs = (harness: Harness) =>
  harness.world.commands
    .flatMap((command) => command.commands)
    .flatMap((line) => [...line.matchAll(/docker pull '?([^'\s]+)'?/g)].map((m) => m[1]!));

const threadTexts = (harness: Harness, rootTs: string) =>
  harness.fake.calls
    .filter((call) => call.method === 'chat.postMessage' && call.args.thread_ts === rootTs)
    .map((call) => JSON.stringify(call.args.blocks ?? call.args.text));

/** The bot on this world and registry, with BASE as the base image and these selection settings. */
function startSelection(
  world: ReturnType<typeof selectionWorld>['world'],
  registry: ReturnType<typeof selectionWorld>['registry'],
  selection: { diskBudgetGiB?: number } = {},
) {
  return startHarness({
    world,
    domino: true,
    registry,
    tweak: (config) => {
      const deployment = config.deployments[0]!;
      deployment.imageSelection = { ...deployment.imageSelection, baseImages: [BASE], ...selection };
    },
  });
}

describe('/ami bake --images auto end to end', () => {
  it('bakes exactly the chosen list (base, A, B under a 1 GiB budget) and shows why in the thread', async () => {
    const { world, registry } = selectionWorld();
    h = await startSelection(world, registry, { diskBudgetGiB: 1 });
    await h.slash('bake --images auto', { responseId: 'auto1' });
    expect(await h.answer('auto1')).toContain('Baking 3 suggested image(s)');
    const bake = await endedBake(h);
    expect(bake.status).toBe('succeeded');
    expect(bake.images).toEqual([BASE, A, B]);
    expect(pulledRefs(h).sort()).toEqual([BASE, A, B].sort());
    const ami = world.images.get(bake.facts.imageId!)!;
    for (const ref of [BASE, A, B]) expect([...ami.dockerImages.keys()]).toContain(ref);
    expect([...ami.dockerImages.keys()]).not.toContain(C);
    const thread = threadTexts(h, bake.rootTs!).join('\n');
    expect(thread).toContain('Suggested images');
    expect(thread).toContain('over the budget');
    expect(thread).toContain(C);
    expect(thread).not.toContain(GPU);
    // The harness pins no tier: the "Legacy (pinned)" tier is on a pipeline AMI, so it is served too; the test
    // tier's runs are the AMI tests' own.
    expect(thread).toContain(
      'Runs of the last 14 days: 140 on the 4 tiers the AMI serves (Small, Medium, Large, Legacy (pinned))',
    );
  });

  it('sizes the budget from the template’s root volume (half of 2 GiB: the same choice) and says so', async () => {
    const { world, registry } = selectionWorld();
    const template = [...world.instances.values()].find((i) => i.tags.Name === 'acme-executor-template')!;
    template.rootVolumeGiB = 2;
    h = await startSelection(world, registry);
    await h.slash('bake --images auto', { responseId: 'auto3' });
    expect(await h.answer('auto3')).toContain('Baking 3 suggested image(s)');
    const bake = await endedBake(h);
    expect(bake.images).toEqual([BASE, A, B]);
    const thread = threadTexts(h, bake.rootTs!).join('\n');
    expect(thread).toContain('1.07 GB disk budget');
    expect(thread).toContain(
      `Disk budget: 50% of the 2 GiB root volume of the executor template acme-executor-template (${template.id})`,
    );
  });

  it('the review shows the suggestion, and its Start bake bakes exactly that list', async () => {
    const { world, registry } = selectionWorld();
    h = await startSelection(world, registry, { diskBudgetGiB: 1 });
    await h.slash('review', { responseId: 'rv1' });
    await h.answer('rv1');
    const report = h.fake.calls.find(
      (c) => c.method === 'chat.postMessage' && String(c.args.text).startsWith('AMI review of acme'),
    )!;
    const blocks = JSON.stringify(report.args.blocks);
    expect(blocks).toContain('*Suggested images* (`/ami bake --images auto`): 3 images');
    expect(blocks).toContain('with the suggested images, chosen again from the latest runs');
    const actions = (report.args.blocks as Array<{ type: string; elements?: Array<{ value?: string }> }>).find(
      (b) => b.type === 'actions',
    );
    await h.click(ACTION_IDS.reviewStartBake, actions!.elements![0]!.value!, { responseId: 'rv-bake' });
    expect(await h.answer('rv-bake')).toContain('Baking 3 suggested image(s)');
    const bake = await endedBake(h);
    expect(bake.images).toEqual([BASE, A, B]);
    expect(pulledRefs(h).sort()).toEqual([BASE, A, B].sort());
  });

  it('a pull that would fill the template’s disk fails the bake with Docker’s reason; the template goes back', async () => {
    const { world, registry } = selectionWorld();
    const template = [...world.instances.values()].find((i) => i.tags.Name === 'acme-executor-template')!;
    // Nothing cached, the OS's 8 GiB, and half a GiB free: the 1 GiB the budget allows does not fit.
    template.dockerImages.clear();
    template.rootVolumeGiB = 8.5;
    h = await startSelection(world, registry, { diskBudgetGiB: 1 });
    await h.slash('bake --images auto', { responseId: 'full' });
    expect(await h.answer('full')).toContain('Baking 3 suggested image(s)');
    const bake = await endedBake(h);
    expect(bake.status).toBe('failed');
    expect(bake.error?.step).toBe('pull');
    expect(bake.error?.message).toContain('no space left on device');
    expect(bake.facts.imageId).toBeUndefined();
    expect(world.instances.get(template.id)?.state).toBe('stopped');
    expect([...world.images.values()].filter((image) => image.name.includes(bake._id))).toEqual([]);
  });

  it('/ami suggest shows the same choice before any bake, and bakes, locks and runs nothing', async () => {
    const { world, registry } = selectionWorld();
    h = await startSelection(world, registry, { diskBudgetGiB: 1 });
    const commandsBefore = world.commands.length;
    await h.slash('suggest', { responseId: 'sg1' });
    const answer = await h.answer('sg1');
    expect(answer).toContain('Suggested images for acme: 3 images');
    expect(answer).toContain('Nothing was baked.');
    const reply = h.fake.calls.filter((c) => c.method === 'response_url').at(-1);
    const blocks = JSON.stringify(reply?.args.blocks);
    expect(blocks).toContain('over the budget');
    expect(blocks).toContain('Nothing was baked. `/ami bake acme --images auto` bakes this list');
    expect(await h.store.bakes.listRecent(5)).toEqual([]);
    expect(world.commands.length).toBe(commandsBefore);
    // With the registry down: why, and the configured list `--images auto` would bake instead.
    registry.setReachable(HOST, false);
    await h.slash('suggest acme', { responseId: 'sg2' });
    const down = await h.answer('sg2');
    expect(down).toContain('No image suggestion');
    expect(down).toContain('Cannot reach the registry');
    expect(await h.store.bakes.listRecent(5)).toEqual([]);
  });

  it('falls back to the configured list, saying so, when the registry cannot be reached', async () => {
    const { world, registry } = selectionWorld();
    registry.setReachable(HOST, false);
    h = await startSelection(world, registry);
    await h.slash('bake --images auto', { responseId: 'auto2' });
    const answer = await h.answer('auto2');
    expect(answer).toContain('No image suggestion');
    expect(answer).toContain('Cannot reach the registry');
    const bake = await endedBake(h);
    expect(bake.images).toEqual([DEMO_IDS.images.base, DEMO_IDS.images.standard, DEMO_IDS.images.spark]);
    expect(pulledRefs(h).sort()).toEqual(
      [DEMO_IDS.images.base, DEMO_IDS.images.standard, DEMO_IDS.images.spark].sort(),
    );
    expect(threadTexts(h, bake.rootTs!).join('\n')).toContain('Baking the configured list instead');
  });
});
