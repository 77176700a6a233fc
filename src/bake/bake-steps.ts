import type { BakeStepName, StepProgress } from './bake-record.js';
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

const TITLES = new Map<BakeStepName, string>(BAKE_STEP_MODULES.map((step) => [step.name, step.title]));

export function stepTitle(step: BakeStepName): string {
  return TITLES.get(step) ?? step;
}

/** A new bake's step table: every step pending. */
export function newStepTable(): Record<BakeStepName, StepProgress> {
  return Object.fromEntries(BAKE_STEPS.map((step) => [step, { state: 'pending' }])) as Record<
    BakeStepName,
    StepProgress
  >;
}
