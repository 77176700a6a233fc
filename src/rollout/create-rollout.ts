import type { ButtonOrigin } from '../shared/button-origin.js';
import type { Reply } from '../shared/reply.js';
import { createApplyChange } from './apply-change.js';
import type { ChangeRecord } from './change-record.js';
import type { DecideChangeInput } from './decide-change.js';
import { createDecideChange } from './decide-change.js';
import { createPlanDrain } from './plan-drain.js';
import { createPlanRollout, type PlanRolloutInput } from './plan-rollout.js';
import { createRevertChange, type RevertChangeInput } from './revert-change.js';
import type { RolloutDeps } from './rollout-deps.js';
import { createRolloutHistory } from './rollout-history.js';
import { createRolloutScheduler, type RolloutScheduler } from './rollout-scheduler.js';
import { createTestAmi } from './test-ami.js';

/** One use case per rollout intent, shared by slash commands, buttons, the scheduler, the demo and the tests. */
export interface RolloutUseCases {
  testAmi(input: { userId: string; channelId: string; target: string; origin?: ButtonOrigin }): Promise<Reply>;
  cancelTest(input: { userId: string; testId: string; origin?: ButtonOrigin }): Promise<Reply>;
  planRollout(input: PlanRolloutInput): Promise<Reply>;
  decideChange(input: DecideChangeInput): Promise<Reply>;
  revertChange(input: RevertChangeInput): Promise<Reply>;
  planDrain(input: { userId: string; changeId: string }): Promise<Reply>;
  rolloutHistory(input: { limit?: number }): Promise<Reply>;
}

export interface Rollout {
  useCases: RolloutUseCases;
  scheduler: RolloutScheduler;
  /** Applies an approved change now (the scheduler and the Approve button use it; tests may too). */
  applyChange(changeId: string, actor: string): Promise<ChangeRecord | undefined>;
  /** Resolves when no background rollout work (apply, announce, test) and no scheduled scan is running. */
  idle(): Promise<void>;
}

export function createRollout(deps: RolloutDeps): Rollout {
  const planDrain = createPlanDrain(deps);
  const applyChange = createApplyChange(deps, {
    // The drain listing after an apply is asked for by the change's requester, so the two-person rule holds.
    drainAfter: async (change) => {
      await planDrain({ userId: change.requester, changeId: change._id });
    },
  });
  const decideChange = createDecideChange(deps, {
    apply: (changeId, actor) =>
      deps.tasks.run(`apply ${changeId}`, () => applyChange(changeId, actor).then(() => undefined)),
  });
  const tests = createTestAmi(deps);
  const scheduler = createRolloutScheduler(deps, applyChange);
  return {
    useCases: {
      testAmi: tests.testAmi,
      cancelTest: tests.cancelTest,
      planRollout: createPlanRollout(deps),
      decideChange,
      revertChange: createRevertChange(deps),
      planDrain,
      rolloutHistory: createRolloutHistory(deps),
    },
    scheduler,
    applyChange,
    async idle() {
      // A scan can start background work and vice versa: wait until both are quiet.
      await Promise.all([deps.tasks.idle(), scheduler.idle()]);
      await deps.tasks.idle();
    },
  };
}
