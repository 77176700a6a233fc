import type { StepTable } from '../bake-context.js';
import { findTemplate } from './find-template.js';
import { highstate } from './highstate.js';
import { inventory } from './inventory.js';
import { preflight } from './preflight.js';
import { pull } from './pull.js';
import { record } from './record.js';
import { restoreTemplate } from './restore-template.js';
import { snap } from './snap.js';
import { startTemplate } from './start-template.js';
import { waitImage } from './wait-image.js';

/** The seed's procedure, one named step each, in order. */
export const BAKE_STEP_FUNCTIONS: StepTable = {
  preflight,
  'find-template': findTemplate,
  'start-template': startTemplate,
  inventory,
  pull,
  highstate,
  snap,
  'wait-image': waitImage,
  record,
  'restore-template': restoreTemplate,
};
