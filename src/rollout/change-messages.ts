import { AppError } from '../errors.js';
import type { ChatContent } from '../ports/chat.js';
import type { ChangeRecord } from './change-record.js';
import { newChangeId } from './change-record.js';
import type { RolloutDeps } from './rollout-deps.js';

type Deps = Pick<RolloutDeps, 'store' | 'chat' | 'presenter' | 'clock' | 'logger' | 'config'>;

/** Re-renders the change's approval message from the store; a Slack failure is logged, never thrown. */
export async function refreshChangeMessage(deps: Deps, changeId: string): Promise<void> {
  const change = await deps.store.changes.get(changeId);
  if (!change?.message) return;
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
 * Stores the change (its plan and every tier's snapshot) BEFORE it is shown or anything is written, then posts
 * the approval message in the thread, with the full lists as replies when the message had to cut them.
 */
export async function publishChange(deps: Deps, draft: Omit<ChangeRecord, '_id'>): Promise<ChangeRecord> {
  let change: ChangeRecord | undefined;
  for (let attempt = 0; change === undefined; attempt++) {
    const candidate: ChangeRecord = { _id: newChangeId(draft.createdAt), ...draft };
    // A short id can collide: draw another; repeated collisions are a real failure.
    if (await deps.store.changes.insert(candidate)) change = candidate;
    else if (attempt >= 4)
      throw new AppError('change_id_collision', 'Could not find a free change id; nothing was planned. Try again.');
  }
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
