import type { BakeRecord } from '../bake/bake-record.js';
import type { AmiTestRecord } from '../rollout/ami-test-record.js';
import type { FaultName } from '../sim/faults.js';
import type { SimWorld } from '../sim/sim-world.js';

/**
 * What each `--fault` is about, so the demo knows which path to walk and what "went as it should" means:
 * the bake fails (and cleans up), the bake recovers from the fault, or the bake succeeds and the AMI test fails.
 */
export type FaultStory = 'lifecycle' | 'bake-fails' | 'bake-recovers' | 'test-fails';

const STORY: Record<FaultName, Exclude<FaultStory, 'lifecycle'>> = {
  'image-failed': 'bake-fails',
  'pull-failed': 'bake-fails',
  'pull-flaky': 'bake-recovers',
  'highstate-failed': 'bake-fails',
  'ssm-offline': 'bake-fails',
  'ssm-timeout': 'bake-fails',
  'domino-job-failed': 'test-fails',
  'domino-api-down': 'test-fails',
  'aws-throttle': 'bake-recovers',
  'crash-mid-bake': 'bake-recovers',
};

/** With several faults the earliest failure decides: a failed bake never reaches its test. */
export function faultStory(faults: readonly FaultName[]): FaultStory {
  const stories = faults.map((fault) => STORY[fault]);
  if (stories.length === 0) return 'lifecycle';
  if (stories.includes('bake-fails')) return 'bake-fails';
  if (stories.includes('test-fails')) return 'test-fails';
  return 'bake-recovers';
}

/** Summary lines showing the fault at work on a bake that went on (a retry, the time lost to throttling). */
export function recoveryEvidence(faults: readonly FaultName[], world: SimWorld, bake: BakeRecord): string[] {
  const lines: string[] = [];
  if (faults.includes('pull-flaky')) {
    const retried = (bake.facts.pulls ?? []).filter((pull) => pull.status === 'pulled' && pull.attempts > 1);
    lines.push(
      `Flaky registry: ${retried.length} of ${bake.images.length} pull(s) timed out on the first attempt and were retried: ${retried.map((pull) => `${pull.image} (attempt ${pull.attempts})`).join(', ') || 'none'}.`,
    );
  }
  if (faults.includes('aws-throttle')) {
    lines.push(
      `AWS throttling: ${world.throttled.calls} EC2/SSM call(s) answered late (${(world.throttled.ms / 1000).toFixed(0)} s of back-off in all); no error reached the bake.`,
    );
  }
  return lines;
}

/** True when the fault visibly did its work, so a demo that never met its fault does not pass for one that did. */
export function isFaultShown(faults: readonly FaultName[], world: SimWorld, bake: BakeRecord): boolean {
  if (faults.includes('pull-flaky') && !(bake.facts.pulls ?? []).some((pull) => pull.attempts > 1)) return false;
  if (faults.includes('aws-throttle') && world.throttled.calls === 0) return false;
  return true;
}

/** The line that ends a demo whose AMI test did not pass: the demo, like an admin, plans no untested AMI. */
export function untestedEnding(test: AmiTestRecord): string {
  return `AMI test ${test._id}: ${test.status}${test.reason ? ` (${test.reason})` : ''}. The demo stops here: no rollout is planned for an AMI whose test did not pass.`;
}
