import { type Config, type DeploymentConfig, findDeployment } from '../config.js';
import { AppError } from '../errors.js';
import type { ChatPort } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { StateStore } from '../ports/state-store.js';
import type { Logger } from '../shared/logger.js';
import type { Reply } from '../shared/reply.js';
import { codeText } from '../slack/blocks/block-text.js';
import { reviewMessage } from '../slack/blocks/review-message.js';
import { gatherReport, type ReportSources } from './gather-report.js';
import { refreshReviewMessages, supersedeOlderReviews } from './review-messages.js';
import {
  deriveReview,
  type ReviewDoc,
  type ReviewTrigger,
  reviewIdForCommand,
  reviewIdForTick,
} from './review-record.js';

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
  chat: ChatPort;
  clock: Clock;
  logger: Logger;
  random?: () => number;
}

function unknownDeployment(config: Config, name: string | undefined): AppError {
  const names = config.deployments.map((d) => `\`${d.name}\``).join(', ');
  return new AppError(
    'unknown_deployment',
    name === undefined
      ? `Several deployments are configured (${names}): say which, e.g. \`/ami review ${config.deployments[0]?.name}\`.`
      : `Unknown deployment ${codeText(name.slice(0, 64))}. Configured: ${names}.`,
  );
}

/**
 * The schedule, its catch-up on start and `/ami review` all open a review here: gather the report, post
 * it with its buttons, plan the first reminder, and close the deployment's older open review.
 */
export function createOpenReview(deps: OpenReviewDeps) {
  const { config, store, chat, clock } = deps;

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
    if (!deployment) throw unknownDeployment(config, input.deployment);
    const log = deps.logger.child({ deployment: deployment.name, trigger: input.trigger });
    const id = input.tick
      ? reviewIdForTick(deployment.name, input.tick)
      : reviewIdForCommand(deployment.name, clock.now(), deps.random);

    // A tick taken over from a replica that died mid-run: post what it saved, never a second message.
    let review = input.tick ? await store.reviews.get(id) : undefined;
    if (review?.messageTs) return { text: `The review of ${deployment.name} for this tick is already posted.` };
    if (!review) {
      const doc = await newDoc(input, deployment, id);
      if (!(await store.reviews.insert(doc))) {
        return { text: `The review of ${deployment.name} for this tick is already being posted.` };
      }
      review = deriveReview(doc, []);
    }
    const posted = await chat.post({ channel: review.channel, ...reviewMessage(review) });
    await store.reviews.setMessageTs(id, posted.ts);
    log.info({ reviewId: id, channel: review.channel, thread: posted.ts }, 'review posted');
    const saved = (await store.reviews.get(id)) ?? { ...review, messageTs: posted.ts };
    // A click may have landed between the post and saving its ts: show that state on the message too.
    if (saved.status !== 'open') await refreshReviewMessages(deps, saved, { reminders: false });
    await supersedeOlderReviews(deps, saved, clock.now());
    return { text: `Posted the AMI review of ${deployment.name} in <#${review.channel}>.` };
  };
}
