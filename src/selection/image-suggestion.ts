import type { DeploymentKind } from '../config.js';
import type { Text } from '../shared/text.js';
import type { BudgetSource } from './disk-budget.js';

/** Which images to bake and why: what `/ami bake --images auto` and the review show before anything is pulled. */
export interface ImageSuggestion {
  deployment: string;
  /** The deployment's kind, for its words (absent in reports stored before it was recorded: hardware tiers). */
  kind?: DeploymentKind;
  windowDays: number;
  budgetBytes: number;
  /** How the budget was set (absent in reports stored before it was recorded). */
  budgetSource?: BudgetSource;
  bandwidthBytesPerSecond: number;
  method: 'exact' | 'greedy';
  chosen: SuggestedImage[];
  leftOut: LeftOutSuggestion[];
  totalBytes: number;
  secondsSavedPerWeek: number;
  /** Runs in the window on the tiers the standard AMI serves (see usageScope). */
  totalRuns: number;
  /** Whose runs were counted (absent in reports stored before it was recorded). */
  usageScope?: UsageScope;
  /** Against the images of the AMI most standard targets use now, when that is known. */
  diff?: ImageDiff;
}

/** The tiers whose runs count: those the AMI serves, or (when that cannot be read) all but the pinned ones. */
export type UsageScope =
  /** `tiers`: their names; `pools`: EKS node pools of the node groups the AMI goes to. */
  { kind: 'served'; tiers: string[]; pools?: string[] } | { kind: 'all-but-pinned'; reason?: Text };

export interface SuggestedImage {
  ref: string;
  /** A configured base image (always baked). */
  base: boolean;
  runs: number;
  users: number;
  /** Runs and users per hardware tier (its id; `label` its name when known), most runs first. */
  tiers: Array<{ tier: string; runs: number; users: number; label?: string }>;
  /** This image's runs ÷ every run in the window. */
  runShare: number;
  /** Bytes it adds on top of the images listed before it. */
  marginalBytes: number;
  /** marginalBytes ÷ the budget. */
  diskShare: number;
  marginalSecondsPerWeek: number;
}

export type LeftOutReason = 'over_budget' | 'no_benefit' | 'not_readable';

export interface LeftOutSuggestion {
  ref: string;
  reason: LeftOutReason;
  runs: number;
  /** Bytes it would add (absent when its manifest could not be read). */
  marginalBytes?: number;
  marginalSecondsPerWeek?: number;
  /** Why its manifest could not be read (registry_not_found, registry_unauthorized, …). */
  detail?: Text;
}

export interface ImageDiff {
  /** The AMI most standard targets use now, and the images its bake pulled. */
  currentImageId?: string;
  added: string[];
  removed: string[];
  kept: string[];
}

/** The suggestion, or why there is none and the bake falls back to the configured list. */
export type SuggestionOutcome =
  | { kind: 'suggested'; suggestion: ImageSuggestion }
  | { kind: 'fallback'; reason: Text; code: string; images: readonly string[] };
