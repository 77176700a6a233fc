/**
 * Re-export barrel kept for this session only: external ports live in src/ports/ by role, and each repository
 * beside its feature's record. The codemod (/work/wt/codemod-ports.mjs) rewrites importers and deletes this file.
 */

export * from './bake/bake-repo.js';
export * from './ports/chat.js';
export * from './ports/clock.js';
export * from './ports/domino.js';
export * from './ports/ec2.js';
export * from './ports/ssm.js';
export * from './ports/state-store.js';
export * from './review/review-repo.js';
export * from './review/tick-repo.js';
export * from './rollout/ami-test-repo.js';
export * from './rollout/audit-repo.js';
export * from './rollout/change-repo.js';
export * from './rollout/notification-repo.js';
export * from './shared/lock-repo.js';
export * from './slack/delivery-repo.js';
