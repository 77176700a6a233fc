import { describe, expect, it } from 'vitest';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { SIM_WORLD_RESET_MESSAGE } from '../../src/bake/bake-runner.js';
import { BAKE_STEPS, stepTitle } from '../../src/bake/bake-steps.js';
import { BAKE_ID_TAG } from '../../src/bake/image-tags.js';
import type { SimWorld } from '../../src/sim/sim-world.js';
import { type CrashAt, crashAndResume } from '../support/crash-resume.js';
import { newMongoClient } from '../support/mongo.js';

/** The resumed process says once, in the bake's thread, that it restarted and where it picked the bake up. */
function assertResumeLine(thread: string[], step?: string): void {
  const lines = thread.filter((text) =>
    text.includes(':arrows_counterclockwise: ami-bot restarted and resumed this bake at'),
  );
  expect(lines, thread.join('\n')).toHaveLength(1);
  if (step) expect(lines[0]).toContain(`resumed this bake at *${step}*`);
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
  expect(BAKE_STEPS.filter((step) => bake.steps[step]?.state !== 'done')).toEqual([]);
}

describe('a bake survives its process dying and is resumed by another one (FerretDB)', () => {
  for (const step of BAKE_STEPS.slice(0, -1)) {
    it(`crash right after "${step}" completes`, async () => {
      const { bake, world, died, thread } = await crashAndResume({ kind: 'step-done', step });
      expect(died).toBe(true);
      assertCleanSuccess(bake, world);
      assertResumeLine(thread, stepTitle(BAKE_STEPS[BAKE_STEPS.indexOf(step) + 1]!));
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
      const { bake, world, died, thread } = await crashAndResume(crash);
      expect(died).toBe(true);
      assertCleanSuccess(bake, world);
      assertResumeLine(thread);
    });
  }
});

describe('an upgrade adds a step while a bake is in flight', () => {
  it('the record saved without the new step reads it as pending: the resumed bake runs it once and succeeds', async () => {
    // The first process is "the older release": its record has no entry for prune (the step added after it) nor
    // for highstate, as if they did not exist when the bake started. The new release must run them, not crash.
    const { bake, world, died, thread } = await crashAndResume(
      { kind: 'step-done', step: 'inventory' },
      {
        beforeResume: async ({ database, bakeId }) => {
          const client = newMongoClient();
          try {
            const result = await client
              .db(database)
              .collection<{ _id: string }>('bakes')
              .updateOne({ _id: bakeId }, { $unset: { 'steps.prune': '', 'steps.highstate': '' } });
            expect(result.modifiedCount).toBe(1);
            const stored = await client
              .db(database)
              .collection<{ _id: string; steps: object }>('bakes')
              .findOne({ _id: bakeId });
            expect(Object.keys(stored!.steps)).not.toContain('highstate');
            expect(Object.keys(stored!.steps)).not.toContain('prune');
          } finally {
            await client.close();
          }
        },
      },
    );
    expect(died).toBe(true);
    assertCleanSuccess(bake, world);
    assertResumeLine(thread, stepTitle('prune'));
    expect(bake.steps.prune?.state).toBe('done');
    expect(bake.steps.highstate?.state).toBe('done');
    expect(thread.some((text) => text.includes(`*${stepTitle('prune')}*`))).toBe(true);
    expect(thread.some((text) => text.includes(`*${stepTitle('highstate')}*`))).toBe(true);
  });
});

describe('sandbox with a persistent store: the restarted process has a fresh simulated world', () => {
  it('says it restarted, then closes the bake blaming the reset simulator, not AWS', async () => {
    const { bake, died, thread, secondWorld } = await crashAndResume(
      { kind: 'step-done', step: 'pull' },
      { restartWorld: true },
    );
    expect(died).toBe(true);
    assertResumeLine(thread, stepTitle('highstate'));
    expect(bake.status).toBe('failed');
    expect(bake.error?.code).toBe('sim_world_reset');
    expect(bake.error?.message).toBe(SIM_WORLD_RESET_MESSAGE);
    const closing = thread.find((text) => text.startsWith(`:x: Bake ${bake._id} failed`));
    expect(closing, thread.join('\n')).toContain('the simulated AWS and Domino start afresh');
    expect(closing).toContain('This is not an AWS problem');
    expect(thread.join('\n')).not.toMatch(/aws_|InvalidInstanceID|does not exist/);
    // Nothing was sent to the fresh world on the old bake's behalf: no command, no image.
    expect(secondWorld.commands).toHaveLength(0);
    expect([...secondWorld.images.values()].some((image) => image.tags[BAKE_ID_TAG] === bake._id)).toBe(false);
    expect(closing).toContain('Nothing to clean up: the simulated template and AMI went with the previous run.');
  });
});
