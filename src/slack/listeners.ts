import type { App, RespondFn } from '@slack/bolt';
import type { Config } from '../config.js';
import { errorCode, isAppError, userMessage } from '../errors.js';
import type { Logger } from '../shared/logger.js';
import type { Reply } from '../shared/reply.js';
import { ACTION_IDS } from './action-ids.js';
import { type Caller, isAdmin, refuseCommand } from './authorize.js';
import { helpMessage } from './blocks/help-message.js';
import { type ParsedCommand, parseCommand } from './parse-command.js';

/** One use case per intent; the listeners only parse, authorise, ack and delegate. */
export interface UseCases {
  startBake(input: {
    userId: string;
    channelId: string;
    deployment?: string;
    images?: string[];
    noReboot: boolean;
    note?: string;
  }): Promise<Reply>;
  cancelBake(input: { userId: string; bakeId: string }): Promise<Reply>;
  bakeStatus(input: { bakeId?: string }): Promise<Reply>;
}

export interface ListenerDeps {
  config: Config;
  useCases: UseCases;
  logger: Logger;
}

async function dispatch(parsed: ParsedCommand, caller: Caller, useCases: UseCases): Promise<Reply> {
  switch (parsed.kind) {
    case 'help':
      return helpMessage();
    case 'unknown':
      return helpMessage(
        `:thinking_face: \`${parsed.word.slice(0, 40)}\` is not an ami-bot command; nothing was done.`,
      );
    case 'invalid':
      return { text: `:warning: ${parsed.message} Nothing was done.` };
    case 'bake': {
      const { kind: _kind, ...options } = parsed;
      return useCases.startBake({ ...options, userId: caller.userId, channelId: caller.channelId });
    }
    case 'status':
      return useCases.bakeStatus(parsed.bakeId === undefined ? {} : { bakeId: parsed.bakeId });
    case 'cancel':
      return useCases.cancelBake({ userId: caller.userId, bakeId: parsed.bakeId });
  }
}

/** Runs a use case and turns any error into a clear ephemeral answer (never a stack trace). */
async function answer(respond: RespondFn, logger: Logger, work: () => Promise<Reply>): Promise<void> {
  let result: Reply;
  try {
    result = await work();
  } catch (error) {
    if (isAppError(error)) logger.info({ code: error.code }, error.message);
    else logger.error({ err: error, code: errorCode(error) }, 'use case failed');
    result = { text: `:warning: ${userMessage(error)}` };
  }
  try {
    await respond({ response_type: 'ephemeral', replace_original: false, ...result });
  } catch (error) {
    logger.warn({ err: error }, 'could not answer through response_url');
  }
}

export function registerListeners(app: App, deps: ListenerDeps): void {
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
    await answer(respond, log, () => dispatch(parseCommand(command.text ?? ''), caller, useCases));
  });

  app.action(ACTION_IDS.cancelBake, async ({ ack, body, action, respond }) => {
    await ack();
    const userId = body.user.id;
    const value = 'value' in action && typeof action.value === 'string' ? action.value : '';
    const log = logger.child({ userId, action: ACTION_IDS.cancelBake });
    if (!isAdmin(config, userId)) {
      await answer(respond, log, async () => ({ text: ':no_entry: Only ami-bot admins can cancel a bake.' }));
      return;
    }
    await answer(respond, log, () => useCases.cancelBake({ userId, bakeId: value }));
  });

  // Until the rollout lands these buttons say what they will do; they are never dead.
  for (const [actionId, what] of [
    [ACTION_IDS.testAmi, 'point only the test tier at this AMI, start a short job and time Pulling'],
    [ACTION_IDS.planRollout, "snapshot every tier's executorImage and show which tiers would change"],
  ] as const) {
    app.action(actionId, async ({ ack, respond }) => {
      await ack();
      await answer(respond, logger, async () => ({
        text: `:construction: Coming with the rollout flow: this button will ${what}. Nothing was changed.`,
      }));
    });
  }
}
