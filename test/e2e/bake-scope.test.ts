// Bakes scoped to their deployment, end to end (signed requests → real app → simulator → FerretDB → fake Slack):
// one template instance is never baked by two deployments at once, and the cleanup after a failure or cancel
// never deregisters an image that a Domino tier or an AMI test already points at.
import { afterEach, describe, expect, it } from 'vitest';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { BAKE_ID_TAG } from '../../src/bake/image-tags.js';
import { templateLockKey } from '../../src/bake/template-lock.js';
import type { Ec2Port } from '../../src/ports/ec2.js';
import type { SimWorld } from '../../src/sim/sim-world.js';
import type { Harness } from '../support/bot-harness.js';
import { sampleTest } from '../support/rollout-fixtures.js';
import { rolloutHarness, until } from '../support/rollout-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const template = (world: SimWorld) =>
  [...world.instances.values()].find((i) => i.tags.Name === 'acme-executor-template')!;
const isEnded = (bake: BakeRecord) => ['succeeded', 'failed', 'cancelled'].includes(bake.status);
const threadText = (harness: Harness) =>
  harness.fake
    .callsTo('chat.postMessage')
    .filter((c) => c.args.thread_ts !== undefined)
    .map((c) => String(c.args.text))
    .join('\n');

async function ended(harness: Harness, deployment: string): Promise<BakeRecord> {
  return until(
    `the ${deployment} bake to end`,
    async () => {
      const [bake] = await harness.store.bakes.listRecent(1, deployment);
      return bake && isEnded(bake) ? bake : undefined;
    },
    30_000,
  );
}

/** Adds a second deployment `beta` with the same settings as acme, except what `beta` overrides. */
const withBeta =
  (beta: { templateNamePattern?: string } = {}) =>
  (config: Harness['config']) => {
    config.deployments.push({ ...structuredClone(config.deployments[0]!), name: 'beta', ...beta });
  };

describe('one template per bake, whatever the deployment', () => {
  it('the default template pattern names the deployment: beta never finds acme’s template', async () => {
    h = await rolloutHarness(withBeta());
    const before = template(h.world).state;
    await h.slash('bake beta', { responseId: 'beta' });
    expect(await h.answer('beta')).toContain('started');
    const bake = await ended(h, 'beta');
    expect(bake.status).toBe('failed');
    expect(bake.error?.code).toBe('template_not_found');
    expect(bake.error?.message).toContain('*beta*executor-template*');
    expect(template(h.world).state).toBe(before);
  });

  it('two deployments whose patterns match one instance: one bakes, the other is refused and never touches it', async () => {
    h = await rolloutHarness(withBeta({ templateNamePattern: '*executor-template*' }));
    const starts = template(h.world);
    await Promise.all([h.slash('bake acme', { responseId: 'acme' }), h.slash('bake beta', { responseId: 'beta' })]);
    expect(await h.answer('acme')).toContain('started');
    expect(await h.answer('beta')).toContain('started');
    const bakes = [await ended(h, 'acme'), await ended(h, 'beta')];
    await h.bot.runner.idle();
    const refused = bakes.filter((b) => b.status === 'failed');
    expect(bakes.map((b) => b.status).sort()).toEqual(['failed', 'succeeded']);
    expect(refused[0]?.error?.code).toBe('template_in_use');
    expect(refused[0]?.error?.message).toContain(starts.id);
    // The refused bake never recorded (so never started, stopped or imaged) the template.
    expect(refused[0]?.facts.instanceId).toBeUndefined();
    expect(refused[0]?.facts.originalState).toBeUndefined();
    expect(template(h.world).state).toBe('stopped');
    // Released after the winner's restore: the next bake may take the template.
    expect(await h.store.locks.holderOf(templateLockKey(starts.id))).toBeUndefined();
  }, 60_000);
});

describe('cleanup never removes what is in use', () => {
  /** Holds every image ami-bot bakes in `pending` until released, so the bake waits in wait-image. */
  function holdImages(ec2: Ec2Port, held: { on: boolean }): Ec2Port {
    return {
      ...ec2,
      async describeImages(ids) {
        const images = await ec2.describeImages(ids);
        return images.map((i) => (held.on && i.tags[BAKE_ID_TAG] ? { ...i, state: 'pending' as const } : i));
      },
    };
  }

  async function cancelWhileWaiting(point: (harness: Harness, imageId: string) => Promise<void>): Promise<BakeRecord> {
    const held = { on: true };
    h = await rolloutHarness(undefined, { wrap: ({ ec2, ssm }) => ({ ec2: holdImages(ec2, held), ssm }) });
    await h.slash('bake', { responseId: 'bake' });
    const waiting = await until(
      'the bake to wait for its image',
      async () => {
        const [bake] = await h!.store.bakes.listRecent(1);
        return bake?.facts.imageId && bake.steps['wait-image']?.state === 'running' ? bake : undefined;
      },
      30_000,
    );
    await point(h, waiting.facts.imageId!);
    await h.slash(`cancel ${waiting._id}`, { responseId: 'cancel' });
    expect(await h.answer('cancel')).toContain('Cancelling');
    const bake = await ended(h, 'acme');
    await h.bot.runner.idle();
    expect(bake.status).toBe('cancelled');
    expect(bake.facts.imageDeregistered).toBeUndefined();
    expect(h.world.images.has(waiting.facts.imageId!)).toBe(true);
    expect(template(h.world).state).toBe('stopped');
    return bake;
  }

  it('keeps the image a Domino tier already points at, and says so in the thread', async () => {
    const bake = await cancelWhileWaiting(async (harness, imageId) => {
      // An admin pointed a tier at the AMI id while its bake was still running.
      harness.world.tiers.find((t) => t.doc._id === 'medium')!.doc.executorImage = imageId;
    });
    const text = threadText(h!);
    expect(text).toContain(`Kept the unfinished AMI ${bake.facts.imageId}`);
    expect(text).toContain('Domino tier Medium (`medium`) uses it');
  }, 60_000);

  it('keeps the image an AMI test points at, and says so in the thread', async () => {
    const bake = await cancelWhileWaiting(async (harness, imageId) => {
      await harness.store.amiTests.insert(
        sampleTest({ _id: 'test-20261201-abcd', amiId: imageId, createdAt: harness.clock.now() }),
      );
    });
    expect(threadText(h!)).toContain(
      `Kept the unfinished AMI ${bake.facts.imageId}: AMI test test-20261201-abcd (running) tests it`,
    );
  }, 60_000);
});
