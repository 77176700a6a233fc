import type { Block } from '../../ports/chat.js';
import type { ChangeRecord } from '../../rollout/change-record.js';
import { chunkLines, mrkdwnSection, SECTION_MAX } from './block-text.js';
import { instanceLines, KIND_TITLE, skippedLines, tierName, updateLines } from './change-lines.js';

/** Total characters per message, well under the ~13k at which Slack answers msg_blocks_too_long. */
const MESSAGE_MAX = 9_000;

/**
 * The complete lists of a change whose approval message had to cut them, as thread replies that each stay
 * within Block Kit limits (pure).
 */
export function fullListMessages(change: ChangeRecord): Array<{ text: string; blocks: Block[] }> {
  const lines: string[] = [];
  const group = (title: string, items: string[]) => {
    if (items.length > 0) lines.push(title, ...items);
  };
  if (change.kind === 'drain' && change.drain) {
    group(`*Stopped executors to terminate (${change.drain.stopped.length})*`, instanceLines(change.drain.stopped));
    group(`*Running executors on old AMIs (${change.drain.running.length})*`, instanceLines(change.drain.running));
  } else {
    group(`*Will change (${change.updates.length})*`, updateLines(change));
    group(`*Skipped (${change.skipped.length})*`, skippedLines(change));
    group(
      `*Already on the target (${change.unchanged.length})*`,
      change.unchanged.map((t) => `• ${tierName(t)}`),
    );
  }
  const sections = chunkLines(lines, SECTION_MAX);
  const messages: Array<{ text: string; blocks: Block[] }> = [];
  let blocks: Block[] = [];
  let size = 0;
  const flush = () => {
    if (blocks.length === 0) return;
    messages.push({ text: `${KIND_TITLE[change.kind]} ${change._id}: full list`, blocks });
    blocks = [];
    size = 0;
  };
  for (const text of sections) {
    if (size + text.length > MESSAGE_MAX || blocks.length >= 40) flush();
    blocks.push(mrkdwnSection(text));
    size += text.length;
  }
  flush();
  return messages.map((message, i) => ({
    ...message,
    text: `${message.text} (${i + 1}/${messages.length})`,
  }));
}
