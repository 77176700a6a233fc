import { describe, expect, it } from 'vitest';
import { BAKE_ID_TAG } from '../../src/bake/image-tags.js';
import { createRandom } from '../../src/sim/random.js';
import { crashAndResume } from '../support/crash-resume.js';

/**
 * 50 seeded runs: each kills the bot after a random port call (inside a step, between steps, or
 * during cleanup), sometimes with a fault that makes the bake fail, and lets a second process finish.
 */
const FAULT_CHOICES: string[][] = [[], [], [], ['pull-flaky'], ['image-failed'], ['highstate-failed']];

describe('crash at random points (50 seeds)', () => {
  for (let seed = 1; seed <= 50; seed++) {
    it(`seed ${seed}`, async () => {
      const random = createRandom(seed);
      const faults = FAULT_CHOICES[Math.floor(random.next() * FAULT_CHOICES.length)]!;
      const nth = 1 + Math.floor(random.next() * 120);
      const run = await crashAndResume({ kind: 'any-call', nth }, { faults, seed, memoryState: true });
      const { bake, world } = run;
      const context = `faults=${faults.join(',') || 'none'} crash after call ${nth} (died: ${run.died}) → ${bake.status} ${bake.error?.code ?? ''}`;
      expect(['succeeded', 'failed'], context).toContain(bake.status);
      const ours = [...world.images.values()].filter(
        (image) => image.tags[BAKE_ID_TAG] === bake._id && image.state !== 'deregistered',
      );
      if (bake.status === 'succeeded') {
        expect(faults.includes('image-failed') || faults.includes('highstate-failed'), context).toBe(false);
        expect(
          ours.map((image) => image.id),
          context,
        ).toEqual([bake.facts.imageId]);
      } else {
        expect(ours, context).toEqual([]);
      }
      const highstates = world.commands.filter((c) => c.commands.join('\n').includes('state.highstate'));
      expect(highstates.length, context).toBeLessThanOrEqual(1);
      const template = [...world.instances.values()].find((i) => i.tags.Name?.includes('executor-template'))!;
      expect(template.state, context).toBe(run.originalTemplateState);
    });
  }
});
