import type { App, RespondFn } from '@slack/bolt';
import type { StartBakeInput } from '../bake/start-bake.js';
import type { Config } from '../config.js';
import { errorCode, isAppError, userText } from '../errors.js';
import type { OpenReviewInput } from '../review/open-review.js';
import type { ReviewClick } from '../review/review-decisions.js';
import type { RolloutUseCases } from '../rollout/create-rollout.js';
import type { AutoBakeInput } from '../selection/auto-bake.js';
import type { ButtonOrigin } from '../shared/button-origin.js';
import type { Logger } from '../shared/logger.js';
import type { Reply } from '../shared/reply.js';
import { ACTION_IDS } from './action-ids.js';
import type { ActionRouter } from './action-router.js';
import { isAdmin, refuseCommand } from './authorize.js';
import { renderMrkdwn } from './blocks/render-text.js';
import { readCommand, refusalReply } from './commands/command-table.js';
import type { CommandContext } from './commands/subcommand.js';

/** One use case per intent; the listeners only parse, authorise, ack and delegate. */
export interface UseCases extends RolloutUseCases {
  startBake(input: StartBakeInput): Promise<Reply>;
  /** `/ami bake --images auto`: the image selection's choice, or the configured list when it cannot choose. */
  startAutoBake(input: AutoBakeInput): Promise<Reply>;
  /** `/ami suggest`: what `--images auto` would bake now, baking nothing. */
  previewImages(input: { deployment?: string }): Promise<Reply>;
  cancelBake(input: { userId: string; bakeId: string; origin?: ButtonOrigin }): Promise<Reply>;
  bakeStatus(input: { bakeId?: string }): Promise<Reply>;
  /** The AMI review: `/ami review`, the schedule and its catch-up all open one here. */
  openReview(input: OpenReviewInput): Promise<Reply>;
  markReviewed(input: ReviewClick): Promise<Reply>;
  snoozeReview(input: ReviewClick): Promise<Reply>;
  startBakeFromReview(input: ReviewClick): Promise<Reply>;
  /** `/ami images`: the AMI lifecycle's inventory. */
  showImages(input: { deployment?: string }): Promise<Reply>;
  /** `/ami prune`: plans and posts the prune for approval. */
  planPrune(input: { userId: string; channelId: string; deployment?: string }): Promise<Reply>;
  decidePruneClick(input: {
    userId: string;
    pruneId: string;
    decision: 'approve' | 'reject';
    origin: ButtonOrigin;
  }): Promise<Reply>;
}

export interface ListenerDeps {
  config: Config;
  useCases: UseCases;
  logger: Logger;
}

/**
 * The one dispatch of `/ami`: the table's entry for the first word parses the rest, and its `run` calls one use
 * case. Parsing happens here, inside `answer`'s work, after the ack (it is pure and cannot fail).
 */
function runCommand(text: string, ctx: CommandContext): Promise<Reply> {
  const invocation = readCommand(text);
  if (!invocation.ok) return Promise.resolve(refusalReply(invocation.refusal));
  return invocation.entry.run(invocation.command, ctx);
}

/** A clicked button's value, an id we put there: a string of at most 100 characters, or '' (anything else). */
export function buttonValue(action: unknown): string {
  const value = (action as { value?: unknown }).value;
  return typeof value === 'string' ? value.slice(0, 100) : '';
}

/**
 * Runs a use case and turns any error into a clear ephemeral answer (never a stack trace). `respond` is absent
 * when the request carried no response_url (Bolt then defines none): the answer can only be logged.
 */
export async function answer(
  respond: RespondFn | undefined,
  logger: Logger,
  work: () => Promise<Reply>,
): Promise<void> {
  // Called after ack(): let the acks of requests already waiting go out before this one's work.
  await new Promise<void>((resolve) => setImmediate(resolve));
  let result: Reply;
  try {
    result = await work();
  } catch (error) {
    if (isAppError(error)) logger.info({ code: error.code }, error.message);
    else logger.error({ err: error, code: errorCode(error) }, 'use case failed');
    result = { text: `:warning: ${renderMrkdwn(userText(error))}` };
  }
  if (typeof respond !== 'function') {
    logger.info({ answer: result.text.slice(0, 200) }, 'no response_url to answer through; the answer was not shown');
    return;
  }
  try {
    await respond({ response_type: 'ephemeral', replace_original: false, ...result });
  } catch (error) {
    // One line: an expired or unreachable response_url is Slack's side, not a defect of ours.
    logger.warn({ reason: (error as Error).message?.split('\n')[0] }, 'could not answer through response_url');
  }
}

export function registerListeners(app: App, actions: ActionRouter, deps: ListenerDeps): void {
  const { config, useCases, logger } = deps;

  app.command('/ami', async ({ command, ack, respond }) => {
    await ack();
    const caller = { userId: command.user_id, channelId: command.channel_id };
    const log = logger.child({ userId: caller.userId, channel: caller.channelId, command: 'ami' });
    const refusal = refuseCommand(config, caller);
    if (refusal) {
      log.info('command refused');
      await answer(respond, log, async () => ({ text: refusal }));
      return;
    }
    await answer(respond, log, () => runCommand(command.text ?? '', { caller, useCases }));
  });

  actions.action(ACTION_IDS.cancelBake, async ({ ack, body, action, respond }, origin) => {
    await ack();
    const userId = body.user.id;
    const value = 'value' in action && typeof action.value === 'string' ? action.value : '';
    const log = logger.child({ userId, action: ACTION_IDS.cancelBake });
    if (!isAdmin(config, userId)) {
      await answer(respond, log, async () => ({ text: ':no_entry: Only ami-bot admins can cancel a bake.' }));
      return;
    }
    await answer(respond, log, () => useCases.cancelBake({ userId, bakeId: value, origin }));
  });
}
