import { describe, expect, it } from 'vitest';
import { BAKE_STEPS, type BakeRecord } from '../../src/bake/bake-record.js';
import { BAKE_ID_TAG } from '../../src/bake/image-tags.js';
import type { SimWorld } from '../../src/sim/sim-world.js';
import { type CrashAt, crashAndResume } from '../support/crash-resume.js';

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

describe('a bake survives its process dying and is resumed by another one (FerretDB)', () => {
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
