import { afterEach, describe, expect, it } from 'vitest';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { DETECT_RUNTIME_KEY } from '../../src/bake/container-runtime.js';
import { parseImageReference } from '../../src/bake/image-reference.js';
import { BAKE_ID_TAG, NODE_POOLS_TAG } from '../../src/bake/image-tags.js';
import { commandComment } from '../../src/bake/run-command.js';
import type { Config, ContainerRuntime, Provision } from '../../src/config.js';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { DEMO_IDS } from '../../src/sim/seed-demo-world.js';
import { createSimWorld, type SimInstance, type SimWorld, seedDemoWorld } from '../../src/sim/sim-world.js';
import { type Harness, startHarness } from '../support/bot-harness.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { uniqueDbName } from '../support/mongo.js';
import { driveUntil } from '../support/time-driver.js';

/**
 * `/ami bake` of an EKS node-pool template (signed request → real app → simulator → FerretDB → fake Slack):
 * images pulled with the node's containerd, the runtime detected on the template, provisioning by a fixed
 * script or not at all.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const IMAGES = [DEMO_IDS.images.base, DEMO_IDS.images.standard, DEMO_IDS.images.spark];
const SCRIPT = '/opt/domino/bake-node.sh';

function template(world: SimWorld): SimInstance {
  return [...world.instances.values()].find((i) => i.tags.Name?.includes('executor-template'))!;
}

/** The demo's deployment as an EKS node-group deployment (what the config file would say), with its template. */
function eksDeployment(options: { containerRuntime?: ContainerRuntime | 'auto'; provision?: Provision }) {
  return (config: Config) => {
    Object.assign(config.deployments[0]!, {
      kind: 'eks-node-groups',
      eks: {
        cluster: 'domino-acme',
        nodegroups: [],
        nodePools: ['default'],
        nodePoolLabel: 'dominodatalab.com/node-pool',
        force: false,
        terraformTagKeys: ['terraform'],
        runningWork: 'evict',
      },
      ...options,
    });
  };
}

/** A node template: only the given runtimes, an empty containerd store, nothing of docker's. */
function asNodeTemplate(world: SimWorld, runtimes: ContainerRuntime[]): SimInstance {
  const node = template(world);
  node.runtimes = runtimes;
  node.containerdImages = new Map();
  node.dockerImages = new Map();
  return node;
}

async function bakeToEnd(harness: Harness, start = true): Promise<BakeRecord> {
  if (start) {
    await harness.slash('bake', { responseId: 'bake' });
    expect(await harness.answer('bake')).toMatch(/Bake bake-\d{8}-[a-z0-9]{4} of acme started/);
  }
  const ended = await driveUntil(
    'the bake to end',
    async () => {
      const [bake] = await harness.store.bakes.listRecent(1);
      return bake && ['succeeded', 'failed', 'cancelled'].includes(bake.status) ? bake : undefined;
    },
    { realLimitMs: 20_000 },
  );
  await harness.bot.runner.idle();
  return (await harness.store.bakes.get(ended._id))!;
}

const scripts = (world: SimWorld) => world.commands.map((c) => c.commands.join('\n'));
const threadText = (harness: Harness) =>
  harness.fake
    .callsTo('chat.postMessage')
    .filter((c) => c.args.thread_ts !== undefined)
    .map((c) => String(c.args.text))
    .join('\n');
const lastCard = (harness: Harness) => JSON.stringify(harness.fake.callsTo('chat.update').at(-1)?.args.blocks);

describe('/ami bake of an EKS node template (containerd)', () => {
  it('auto-detects ctr, pulls into containerd’s k8s.io namespace with canonical references, skips prune and provisioning', async () => {
    h = await startHarness({ tweak: eksDeployment({}) });
    const node = asNodeTemplate(h.world, ['ctr']);
    const bake = await bakeToEnd(h);

    expect(bake.status).toBe('succeeded');
    expect(bake).toMatchObject({ runtimeChoice: 'auto', provision: 'none', facts: { containerRuntime: 'ctr' } });
    // Detected once, under its own checkpointed command key; then only ctr, never docker or salt.
    expect(bake.facts.commands?.[DETECT_RUNTIME_KEY]).toBeDefined();
    const detect = h.world.commands.filter((c) => c.comment === commandComment(bake._id, DETECT_RUNTIME_KEY));
    expect(detect).toHaveLength(1);
    expect(detect[0]?.stdout).toBe('nerdctl: not installed\nruntime=ctr\n');
    const sent = scripts(h.world);
    const canonical = IMAGES.map((ref) => parseImageReference(ref).normalized);
    expect(sent.filter((s) => s.includes('ctr --namespace k8s.io images pull'))).toEqual(
      canonical.map((ref) => expect.stringContaining(`ctr --namespace k8s.io images pull '${ref}'`)),
    );
    expect(sent.filter((s) => s.includes('ctr --namespace k8s.io images ls'))).toHaveLength(1);
    expect(sent.filter((s) => /docker |salt-call/.test(s))).toEqual([]);
    expect(bake.facts.pulls?.map((p) => p.status)).toEqual(['pulled', 'pulled', 'pulled']);

    expect(bake.steps.prune).toMatchObject({ state: 'skipped', summary: expect.stringContaining('containerd') });
    expect(bake.steps.highstate).toMatchObject({
      state: 'skipped',
      summary: expect.stringContaining('no provisioning'),
    });
    const others = Object.entries(bake.steps).filter(([name]) => !['prune', 'highstate'].includes(name));
    expect(others.every(([, step]) => step.state === 'done')).toBe(true);

    // The AMI holds containerd's images (what the kubelet will find on a new node), and nothing of docker's.
    const image = h.world.images.get(bake.facts.imageId!)!;
    expect([...(image.containerdImages?.keys() ?? [])].sort()).toEqual([...canonical].sort());
    expect(image.dockerImages.size).toBe(0);
    expect(image.tags[BAKE_ID_TAG]).toBe(bake._id);
    // Named and tagged with the node pool it is for (today's rule with the pool).
    expect(image.name).toMatch(/^domino-[a-z0-9-]+-default-node-\d{8}-\d{4}$/);
    expect(image.tags[NODE_POOLS_TAG]).toBe('default');
    expect(image.description).toMatch(/^Domino node AMI baked by ami-bot/);
    expect(node.state).toBe('stopped');

    // The thread and the card say what ran and what was skipped, and why, in the deployment's words.
    const thread = threadText(h);
    expect(bake.kind).toBe('eks-node-groups');
    expect(thread).toContain('*Find the node template* — ');
    expect(thread).not.toContain('executor template');
    expect(thread).toContain('*List cached images (containerd, ctr)* — containerd, ctr detected; 0 image(s) cached');
    expect(thread).toContain('*Pull images (containerd, ctr)*');
    expect(thread).toContain('*Provision (none configured)* — skipped: no provisioning configured');
    expect(thread).not.toContain('salt-call');
    const card = lastCard(h);
    expect(card).toContain(':fast_forward: Provision (none configured)');
    expect(card).toContain(':fast_forward: Prune dangling images (containerd, ctr)');
    expect(card).toContain('succeeded');
    expect(card).toContain(':white_check_mark: Find the node template');
    expect(card).not.toContain('executor template');
  });

  it('runs the configured provisioning script with nerdctl pulls; its log is not in the AMI', async () => {
    h = await startHarness({
      tweak: eksDeployment({ containerRuntime: 'nerdctl', provision: { script: SCRIPT } }),
    });
    const node = asNodeTemplate(h.world, ['nerdctl', 'ctr']);
    node.fs.files.set(SCRIPT, '#!/bin/bash\n');
    const bake = await bakeToEnd(h);

    expect(bake.status).toBe('succeeded');
    expect(bake).toMatchObject({ runtimeChoice: 'nerdctl', provision: { script: SCRIPT } });
    expect(bake.facts.containerRuntime).toBeUndefined(); // configured: nothing to detect
    expect(bake.facts.commands?.[DETECT_RUNTIME_KEY]).toBeUndefined();
    const sent = scripts(h.world);
    expect(sent.filter((s) => s.includes(`'${SCRIPT}' > "$log" 2>&1`))).toHaveLength(1);
    expect(sent.filter((s) => s.includes('nerdctl --namespace k8s.io pull'))).toHaveLength(3);
    expect(bake.steps.highstate).toMatchObject({ state: 'done', summary: `${SCRIPT} finished (exit 0)` });
    const image = h.world.images.get(bake.facts.imageId!)!;
    expect([...image.fs.files.keys()].filter((path) => path.includes('provision-'))).toEqual([]);
    expect(image.containerdImages?.size).toBe(3);
    expect(threadText(h)).toContain(`*Provision (script ${SCRIPT})* — ${SCRIPT} finished (exit 0)`);
  });

  it('a provisioning script that is not on the template fails the bake saying so, and leaves nothing behind', async () => {
    h = await startHarness({ tweak: eksDeployment({ provision: { script: SCRIPT } }) });
    const node = asNodeTemplate(h.world, ['ctr']);
    const imagesBefore = h.world.images.size;
    const bake = await bakeToEnd(h);

    expect(bake.status).toBe('failed');
    expect(bake.error).toMatchObject({ code: 'provision_script_missing', step: 'highstate' });
    expect(bake.error?.message).toContain(`${SCRIPT} is not on the template`);
    expect(h.world.images.size).toBe(imagesBefore);
    expect(node.state).toBe('stopped');
    expect(threadText(h)).toContain(`The bake failed during *Provision (script ${SCRIPT})*`);
  });

  it('no container runtime on the template: a clear error before any pull, the template returned', async () => {
    h = await startHarness({ tweak: eksDeployment({}) });
    const node = asNodeTemplate(h.world, []);
    const bake = await bakeToEnd(h);

    expect(bake.status).toBe('failed');
    expect(bake.error).toMatchObject({ code: 'no_container_runtime', step: 'inventory' });
    expect(bake.error?.message).toContain('tried `nerdctl`, `ctr` (nerdctl: not installed; ctr: not installed)');
    expect(bake.error?.message).toContain('containerRuntime');
    expect(scripts(h.world).filter((s) => s.includes('pull'))).toEqual([]);
    expect(bake.facts.containerRuntime).toBeUndefined();
    expect(node.state).toBe('stopped');
  });

  it('a crash right after the detection was sent, before its id was saved: the resumed bake re-attaches to it', async () => {
    const world = seedDemoWorld(createSimWorld({ deployment: 'acme' }));
    asNodeTemplate(world, ['ctr']);
    const fake = await startFakeSlack();
    const common = {
      world,
      fake,
      clock: createManualClock(new Date()),
      database: uniqueDbName('containerd'),
      // A short virtual lease, so the second process takes the dead one's bake over at once.
      tweak: (config: Config) => {
        eksDeployment({})(config);
        config.bake.leaseSeconds = 120;
      },
    };
    const opened: Harness[] = [];
    try {
      let died = false;
      const first: Harness = await startHarness({
        ...common,
        wrap: ({ ec2, ssm }) => ({
          ec2,
          ssm: {
            ...ssm,
            sendShellCommand: async (input) => {
              if (died) throw new Error('this process has died');
              const id = await ssm.sendShellCommand(input);
              if (input.comment.endsWith(` ${DETECT_RUNTIME_KEY}`)) {
                died = true;
                first.bot.runner.abandon();
              }
              return id;
            },
          },
        }),
      });
      opened.push(first);
      await first.slash('bake', { responseId: 'bake' });
      expect(await first.answer('bake')).toContain('started');
      await driveUntil('the detection to be sent', () => (died ? true : undefined), { realLimitMs: 20_000 });
      expect(died).toBe(true);
      await first.bot.runner.idle();
      const [dead] = await first.store.bakes.listRecent(1);
      expect(dead?.facts.commands?.[DETECT_RUNTIME_KEY]).toBeUndefined(); // sent, never saved

      const second = await startHarness(common);
      opened.push(second);
      const bake = await bakeToEnd(second, false);
      expect(bake.status).toBe('succeeded');
      expect(bake.facts.containerRuntime).toBe('ctr');
      // One detection in all (found again by its comment), and the pulls went to ctr.
      expect(world.commands.filter((c) => c.comment === commandComment(bake._id, DETECT_RUNTIME_KEY))).toHaveLength(1);
      expect(bake.facts.commands?.[DETECT_RUNTIME_KEY]).toBe(
        world.commands.find((c) => c.comment === commandComment(bake._id, DETECT_RUNTIME_KEY))?.id,
      );
      expect(scripts(world).filter((s) => s.includes('ctr --namespace k8s.io images pull'))).toHaveLength(3);
      expect(template(world).state).toBe('stopped');
    } finally {
      for (const harness of opened) await harness.close();
      await fake.close();
    }
  });
});
