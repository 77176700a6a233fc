/** Every ami-bot action id starts with this; the action router listens for it. */
export const ACTION_PREFIX = 'ami_';

/** Block Kit action ids: constants shared by the builders and the listeners. */
export const ACTION_IDS = {
  cancelBake: 'ami_bake_cancel',
  testAmi: 'ami_test',
  planRollout: 'ami_plan',
  approve: 'ami_approve',
  reject: 'ami_reject',
  drainTerminate: 'ami_drain_terminate',
  cancelTest: 'ami_test_cancel',
  reviewStartBake: 'ami_review_start_bake',
  reviewSnooze: 'ami_review_snooze',
  reviewDone: 'ami_review_done',
  pruneApprove: 'ami_prune_approve',
  pruneReject: 'ami_prune_reject',
} as const;

export type ActionId = (typeof ACTION_IDS)[keyof typeof ACTION_IDS];
