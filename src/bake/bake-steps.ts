import type { BakeRecord, BakeStepName, StepProgress } from './bake-record.js';
import { findTemplate } from './steps/find-template.js';
import { highstate } from './steps/highstate.js';
import { inventory } from './steps/inventory.js';
import { preflight } from './steps/preflight.js';
import { prune } from './steps/prune.js';
import { pull } from './steps/pull.js';
import { record } from './steps/record.js';
import { restoreTemplate } from './steps/restore-template.js';
import { snap } from './steps/snap.js';
import { startTemplate } from './steps/start-template.js';
import { waitImage } from './steps/wait-image.js';

/**
 * The seed's procedure, in order: the single source of the step set (names, titles, what runs, what undoes).
 * Adding a step is one module here; bakes saved without it read it as pending and run it when they resume.
 */
export const BAKE_STEP_MODULES = [
  preflight,
  findTemplate,
  startTemplate,
  inventory,
  prune,
  pull,
  highstate,
  snap,
  waitImage,
  record,
  restoreTemplate,
] as const;

export const BAKE_STEPS: readonly BakeStepName[] = BAKE_STEP_MODULES.map((step) => step.name);

type StepModule = (typeof BAKE_STEP_MODULES)[number];
const MODULES = new Map<BakeStepName, StepModule>(BAKE_STEP_MODULES.map((step) => [step.name, step]));

/** A step's title, for this bake when one is given (e.g. "Pull images (containerd, ctr)"). */
export function stepTitle(step: BakeStepName, bake?: BakeRecord): string {
  const module: StepModule | undefined = MODULES.get(step);
  if (!module) return step;
  return (bake && module.titleOf?.(bake)) ?? module.title;
}

/** A new bake's step table: every step pending. */
export function newStepTable(): Record<BakeStepName, StepProgress> {
  return Object.fromEntries(BAKE_STEPS.map((step) => [step, { state: 'pending' }])) as Record<
    BakeStepName,
    StepProgress
  >;
}
