import type { ChatContent } from '../ports/chat.js';
import type { ChangeRecord } from './change-record.js';
import type { RolloutDeps } from './rollout-deps.js';

type Deps = Pick<RolloutDeps, 'store' | 'chat' | 'presenter' | 'clock' | 'logger' | 'config'>;

/**
 * Re-renders the change's approval message from the record the caller holds (it has just read or won it, so no
 * second read); a Slack failure is logged, never thrown.
 */
export async function refreshChangeMessage(deps: Deps, change: ChangeRecord): Promise<void> {
  const changeId = change._id;
  if (!change.message) return;
  const message = deps.presenter.change(change, deps.clock.now());
  try {
    const { text, blocks } = message;
    await deps.chat.update({ channel: change.message.channel, ts: change.message.ts, text, blocks });
  } catch (error) {
    deps.logger.warn({ err: error, changeId }, 'could not update the change message');
  }
}

/** A reply in the change's thread; a Slack failure is logged, never thrown (the change itself is done). */
export async function replyInThread(deps: Deps, change: ChangeRecord, message: ChatContent) {
  const threadTs = change.threadTs ?? change.message?.ts;
  try {
    await deps.chat.post({
      channel: change.channel,
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks } : {}),
      ...(threadTs ? { threadTs } : {}),
    });
  } catch (error) {
    deps.logger.warn({ err: error, changeId: change._id }, 'could not post in the change thread');
  }
}

/**
 * Posts a stored change's approval message (in the thread it was planned from), with the full lists as replies
 * when the message had to cut them, and notes where it went.
 */
export async function postChange(deps: Deps, change: ChangeRecord): Promise<ChangeRecord> {
  const now = deps.clock.now();
  const message = deps.presenter.change(change, now);
  const posted = await deps.chat.post({
    channel: change.channel,
    text: message.text,
    blocks: message.blocks,
    ...(change.threadTs ? { threadTs: change.threadTs } : {}),
  });
  const notes = { message: posted, threadTs: change.threadTs ?? posted.ts };
  await deps.store.changes.note(change._id, notes);
  Object.assign(change, notes);
  if (message.overflow) {
    for (const part of deps.presenter.changeFullLists(change)) await replyInThread(deps, change, part);
  }
  deps.logger.info(
    {
      changeId: change._id,
      kind: change.kind,
      deployment: change.deployment,
      channel: change.channel,
      thread: notes.threadTs,
    },
    'change planned',
  );
  return change;
}
