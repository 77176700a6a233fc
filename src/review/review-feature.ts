import type { StartBakeInput } from '../bake/start-bake.js';
import type { Config } from '../config.js';
import type { Clock } from '../ports/clock.js';
import type { DominoTiersPort, TierUsersPort } from '../ports/domino.js';
import type { Ec2Port } from '../ports/ec2.js';
import type { StateStore } from '../ports/state-store.js';
import type { Logger } from '../shared/logger.js';
import type { Reply } from '../shared/reply.js';
import type { ReportSources } from './gather-report.js';
import { lastAmiTestFromStore } from './last-ami-test.js';
import { createOpenReview } from './open-review.js';
import { createReviewDecisions, type ReviewDecisionDeps } from './review-decisions.js';
import type { ReviewNotifier } from './review-notifier.js';
import { createReviewScheduler, type ReviewScheduler } from './review-scheduler.js';
import { createSendFollowUps } from './send-follow-ups.js';

export interface ReviewOptions {
  /** False: no schedule, no catch-up, no reminders (the use cases still answer `/ami review` and buttons). */
  enabled?: boolean;
  /** Default: node-cron, except in sandbox mode whose scaled clock node-cron cannot follow. */
  trigger?: 'cron' | 'clock';
  followUpSchedule?: string;
}

export interface ReviewFeatureDeps {
  config: Config;
  store: StateStore;
  /** How the review speaks (Slack in production: src/slack/review-notifier.ts). */
  notifier: ReviewNotifier;
  clock: Clock;
  logger: Logger;
  ec2: Ec2Port;
  tiers?: DominoTiersPort;
  /** An EKS deployment's node groups and their AMIs, for its report (as `tiers` are for a tiers deployment). */
  targets?: ReportSources['targets'];
  tierUsers?: TierUsersPort;
  /** What `/ami bake --images auto` would bake now, for the report's "Suggested images". */
  suggestImages?: ReportSources['suggestImages'];
  owner: string;
  startBake(input: StartBakeInput): Promise<Reply>;
  /** `/ami bake --images auto`: what Start bake runs when the review suggested images. */
  startAutoBake?: ReviewDecisionDeps['startAutoBake'];
  /** The AMI lifecycle's inventory summary, for the review's AMIs section. */
  amiInventory?: ReportSources['amiInventory'];
  options?: ReviewOptions;
}

/** Wiring of the review: its use cases (for the listeners) and its scheduler (for bot start/stop). */
export function createReviewFeature(deps: ReviewFeatureDeps) {
  const { config, store, notifier, clock, options = {} } = deps;
  const logger = deps.logger.child({ feature: 'review' });
  const lastAmiTest = lastAmiTestFromStore(store);
  const openReview = createOpenReview({
    config,
    store,
    notifier,
    clock,
    logger,
    ec2: deps.ec2,
    ...(deps.tiers ? { tiers: deps.tiers } : {}),
    ...(deps.targets ? { targets: deps.targets } : {}),
    ...(deps.tierUsers ? { tierUsers: deps.tierUsers } : {}),
    ...(deps.suggestImages ? { suggestImages: deps.suggestImages } : {}),
    ...(lastAmiTest ? { lastAmiTest } : {}),
    ...(deps.amiInventory ? { amiInventory: deps.amiInventory } : {}),
  });
  const decisions = createReviewDecisions({
    store,
    notifier,
    clock,
    logger,
    startBake: deps.startBake,
    ...(deps.startAutoBake ? { startAutoBake: deps.startAutoBake } : {}),
  });
  const sendFollowUps = createSendFollowUps({ store, notifier, clock, logger });
  const scheduler: ReviewScheduler = createReviewScheduler({
    config,
    clock,
    logger,
    ticks: store.ticks,
    owner: deps.owner,
    openReview,
    sendFollowUps,
    trigger: options.trigger ?? (config.sandbox ? 'clock' : 'cron'),
    ...(options.followUpSchedule ? { followUpSchedule: options.followUpSchedule } : {}),
  });
  const enabled = options.enabled ?? true;
  return {
    useCases: { openReview, ...decisions },
    sendFollowUps,
    scheduler,
    start: () => (enabled ? scheduler.start() : Promise.resolve()),
    stop: () => scheduler.stop(),
  };
}
