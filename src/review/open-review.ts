import { type Config, type DeploymentConfig, findDeployment } from '../config.js';
import { AppError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { StateStore } from '../ports/state-store.js';
import type { Logger } from '../shared/logger.js';
import type { Reply } from '../shared/reply.js';
import { gatherReport, type ReportSources } from './gather-report.js';
import type { ReviewNotifier } from './review-notifier.js';
import {
  deriveReview,
  type ReviewDoc,
  type ReviewTrigger,
  reviewIdForCommand,
  reviewIdForTick,
} from './review-record.js';
import { supersedeOlderReviews } from './supersede-reviews.js';

export interface OpenReviewInput {
  deployment?: string;
  trigger: ReviewTrigger;
  /** The schedule tick (schedule and catch-up). */
  tick?: Date;
  /** Who asked and where (`/ami review`); scheduled reviews go to the first ops channel. */
  userId?: string;
  channelId?: string;
}

export interface OpenReviewDeps extends ReportSources {
  config: Config;
  store: StateStore;
  notifier: ReviewNotifier;
  clock: Clock;
  logger: Logger;
  random?: () => number;
}

/**
 * The schedule, its catch-up on start and `/ami review` all open a review here: gather the report, post
 * it with its buttons, plan the first reminder, and close the deployment's older open review.
 */
export function createOpenReview(deps: OpenReviewDeps) {
  const { config, store, notifier, clock } = deps;
  const say = notifier.reply;

  async function newDoc(input: OpenReviewInput, deployment: DeploymentConfig, id: string): Promise<ReviewDoc> {
    const { followUpDays, maxFollowUps } = deployment.review;
    return {
      _id: id,
      deployment: deployment.name,
      trigger: input.trigger,
      ...(input.tick ? { tick: input.tick } : {}),
      ...(input.userId ? { requestedBy: input.userId } : {}),
      channel: input.channelId ?? config.opsChannels[0] ?? '',
      maxFollowUps,
      followUpDays,
      report: await gatherReport(deps, deployment),
      createdAt: clock.now(),
    };
  }

  return async function openReview(input: OpenReviewInput): Promise<Reply> {
    const deployment = findDeployment(config, input.deployment);
    if (!deployment) {
      const configured = config.deployments.map((d) => d.name);
      const name = input.deployment;
      throw new AppError(
        'unknown_deployment',
        say({ kind: 'unknown-deployment', ...(name === undefined ? {} : { name }), configured }).text,
      );
    }
    const log = deps.logger.child({ deployment: deployment.name, trigger: input.trigger });
    const id = input.tick
      ? reviewIdForTick(deployment.name, input.tick)
      : reviewIdForCommand(deployment.name, clock.now(), deps.random);

    // A tick taken over from a replica that died mid-run: post what it saved, never a second message.
    let review = input.tick ? await store.reviews.get(id) : undefined;
    if (review?.messageTs) return say({ kind: 'already-posted', deployment: deployment.name });
    if (!review) {
      const doc = await newDoc(input, deployment, id);
      if (!(await store.reviews.insert(doc))) {
        return say({ kind: 'being-posted', deployment: deployment.name });
      }
      review = deriveReview(doc, []);
    }
    const ts = await notifier.reviewOpened(review);
    await store.reviews.setMessageTs(id, ts);
    log.info({ reviewId: id, channel: review.channel, thread: ts }, 'review posted');
    const saved = (await store.reviews.get(id)) ?? { ...review, messageTs: ts };
    // A click may have landed between the post and saving its ts: show that state on the message too.
    if (saved.status !== 'open') await notifier.reviewChanged(saved, { reminders: false });
    await supersedeOlderReviews(deps, saved, clock.now());
    return say({ kind: 'posted', deployment: deployment.name, channel: review.channel });
  };
}
