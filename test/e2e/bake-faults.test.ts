import { afterEach, describe, expect, it } from 'vitest';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { BAKE_ID_TAG } from '../../src/bake/image-tags.js';
import type { SimWorld } from '../../src/sim/sim-world.js';
import { type Harness, type HarnessOptions, startHarness } from '../support/bot-harness.js';
import { driveUntil } from '../support/time-driver.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const template = (world: SimWorld) =>
  [...world.instances.values()].find((instance) => instance.tags.Name?.includes('executor-template'))!;

async function bakeUntilEnd(options: HarnessOptions, text = 'bake'): Promise<BakeRecord> {
  h = await startHarness(options);
  await h.slash(text, { responseId: 'start' });
  expect(await h.answer('start')).toContain('started');
  const harness = h;
  const bake = await driveUntil(
    'the bake to end',
    async () => {
      const [latest] = await harness.store.bakes.listRecent(1);
      return latest && ['succeeded', 'failed', 'cancelled'].includes(latest.status) ? latest : undefined;
    },
    { realLimitMs: 20_000 },
  );
  await h.bot.runner.idle();
  return bake;
}

/** The thread's last word: what the admin reads when the bake ends. */
function finalThreadText(harness: Harness): string {
  const replies = harness.fake.callsTo('chat.postMessage').filter((call) => call.args.thread_ts !== undefined);
  return replies.map((call) => String(call.args.text)).join('\n');
}

function expectCleanFailure(bake: BakeRecord, world: SimWorld, code: string, step: string): void {
  expect(bake.status).toBe('failed');
  expect(bake.error?.code).toBe(code);
  expect(bake.error?.step).toBe(step);
  expect(template(world).state).toBe('stopped');
  const leftovers = [...world.images.values()].filter(
    (image) => image.tags[BAKE_ID_TAG] === bake._id && image.state !== 'deregistered',
  );
  expect(leftovers).toEqual([]);
}

describe('bake failure paths end in a clear message and full cleanup', () => {
  it('image `failed`: deregistered, template stopped, the cause in the thread', async () => {
    const bake = await bakeUntilEnd({ faults: ['image-failed'] });
    expectCleanFailure(bake, h!.world, 'image_failed', 'wait-image');
    const metrics = await (await fetch(`${h!.url}/metrics`)).text();
    expect(metrics).toContain('amibot_bakes_total{deployment="acme",outcome="failed"} 1');
    expect(metrics).toContain('amibot_bake_step_duration_seconds_count{step="wait-image",outcome="failed"} 1');
    expect(bake.facts.imageDeregistered).toBe(true);
    const thread = finalThreadText(h!);
    expect(thread).toContain('The bake failed during *Wait until the AMI is available*');
    expect(thread).toContain(`Deregistered the unfinished AMI ${bake.facts.imageId}`);
    expect(thread).toContain('Fix the cause above');
  });

  it('highstate with failed states: fails the step, names the states, no AMI created', async () => {
    const bake = await bakeUntilEnd({ faults: ['highstate-failed'] });
    expectCleanFailure(bake, h!.world, 'highstate_failed', 'highstate');
    expect(bake.facts.imageId).toBeUndefined();
    expect(bake.error?.message).toMatch(/2 failed/);
    expect(bake.error?.message).toContain('does not keep it');
  });

  it('highstate TimedOut: its own message, raise the timeout', async () => {
    const bake = await bakeUntilEnd({ faults: ['ssm-timeout'] });
    expectCleanFailure(bake, h!.world, 'highstate_timeout', 'highstate');
    expect(bake.error?.message).toContain('highstateTimeoutMinutes');
  });

  it('a registry error is not retried and fails the pull step naming the image', async () => {
    const bake = await bakeUntilEnd({ faults: ['pull-failed'] });
    expectCleanFailure(bake, h!.world, 'pull_failed', 'pull');
    expect(bake.error?.message).toContain('manifest unknown');
    expect(bake.facts.pulls?.every((pull) => pull.attempts === 1)).toBe(true);
  });

  it('a transient pull failure is retried and the bake succeeds', async () => {
    const bake = await bakeUntilEnd({ faults: ['pull-flaky'] });
    expect(bake.status).toBe('succeeded');
    expect(bake.facts.pulls?.map((pull) => pull.attempts)).toEqual([2, 2, 2]);
  });

  it('an SSM agent that never comes online: clear advice, template stopped again', async () => {
    const bake = await bakeUntilEnd({
      faults: ['ssm-offline'],
      tweak: (c) => {
        c.bake.instanceReadyMinutes = 5;
      },
    });
    expectCleanFailure(bake, h!.world, 'ssm_agent_offline', 'start-template');
    expect(bake.error?.message).toContain('AmazonSSMManagedInstanceCore');
  });

  it('an instance that never becomes running', async () => {
    const bake = await bakeUntilEnd({
      tweak: (c) => {
        c.bake.instanceReadyMinutes = 5;
      },
      wrap: ({ ec2, ssm }) => ({
        ssm,
        ec2: { ...ec2, startInstance: async () => undefined },
      }),
    });
    expect(bake.status).toBe('failed');
    expect(bake.error?.code).toBe('instance_state_timeout');
    expect(bake.error?.message).toContain('did not become running within 5 min');
    expect(template(h!.world).state).toBe('stopped');
  });

  it('the image wait deadline passes: fails, pending image deregistered', async () => {
    const bake = await bakeUntilEnd({
      tweak: (c) => {
        c.bake.imageWaitHours = 0.02;
      },
    });
    expectCleanFailure(bake, h!.world, 'image_timeout', 'wait-image');
    expect(bake.error?.message).toContain('was not available within 0.02 h');
  });

  it('EC2/SSM throttling (SDK back-off) only slows the bake down', async () => {
    const bake = await bakeUntilEnd({ faults: ['aws-throttle'] });
    expect(bake.status).toBe('succeeded');
  });

  it('Slack answering 429 loses no progress message', async () => {
    h = await startHarness();
    h.fake.setRateLimit('chat.postMessage', 5);
    h.fake.setRateLimit('chat.update', 2);
    // Whether the bot ever outpaces those limits depends on how fast this machine runs it (on the manual clock,
    // posts are as far apart as the work between them takes): two refusals for certain, whatever the load.
    h.fake.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 });
    h.fake.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 });
    await h.slash('bake', { responseId: 'start' });
    const harness = h;
    const bake = await driveUntil(
      'the bake to end',
      async () => {
        const [latest] = await harness.store.bakes.listRecent(1);
        return latest && ['succeeded', 'failed', 'cancelled'].includes(latest.status) ? latest : undefined;
      },
      { realLimitMs: 30_000 },
    );
    await h.bot.runner.idle();
    expect(bake?.status).toBe('succeeded');
    const limited = h.fake.calls.filter((call) => call.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    const delivered = h.fake.callsTo('chat.postMessage').filter((call) => call.status === 200);
    const texts = delivered.map((call) => String(call.args.text));
    // One reply per step, all delivered despite the 429s.
    for (const title of ['Preflight checks', 'Pull images', 'Create the AMI', 'Return the template to its state']) {
      expect(texts.filter((text) => text.includes(title))).toHaveLength(1);
    }
    expect(texts.some((text) => text.includes(`Bake ${bake?._id} finished`))).toBe(true);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/amibot_slack_rate_limited_total\{method="chat\.postMessage"\} [1-9]/);
  });
});
