// Block Kit payloads checked by PyPI slack-sdk's models (test/blockkit/validate.py, run once per batch in the
// test venv that test/support/moto.ts installs from test/moto/requirements.txt), plus the message limits that
// library does not check: at most 50 blocks per message and a message `text` of at most 4,000 characters.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { Block } from '../../src/ports/chat.js';
import { REPO_ROOT } from './ferretdb.js';
import { ensureMoto } from './moto.js';

const VALIDATOR = join(REPO_ROOT, 'test', 'blockkit', 'validate.py');
export const MAX_MESSAGE_BLOCKS = 50;
export const MAX_MESSAGE_TEXT = 4_000;

export type Payload =
  | { id: string; kind: 'message'; message: { text: string; blocks?: Block[] } }
  | { id: string; kind: 'view'; view: { type: string; blocks: Block[] } };

export interface Problem {
  id: string;
  problem: string;
}

/** Our own checks of a message: what Slack refuses but slack-sdk's models let through. */
export function messageLimitProblems(id: string, message: { text: string; blocks?: Block[] }): Problem[] {
  const problems: Problem[] = [];
  if ((message.blocks?.length ?? 0) > MAX_MESSAGE_BLOCKS)
    problems.push({ id, problem: `${message.blocks?.length} blocks > ${MAX_MESSAGE_BLOCKS} per message` });
  if (message.text.length > MAX_MESSAGE_TEXT)
    problems.push({ id, problem: `message text ${message.text.length} chars > ${MAX_MESSAGE_TEXT}` });
  if (message.text.trim() === '') problems.push({ id, problem: 'message text is empty (no notification fallback)' });
  return problems;
}

/** Runs slack-sdk over every payload in one Python process and adds our message limits. */
export async function validateBlockKit(payloads: readonly Payload[]): Promise<Problem[]> {
  const python = await ensureMoto();
  const items = payloads.flatMap(
    (p): Array<{ id: string; kind: string; payload: unknown }> =>
      p.kind === 'view'
        ? [{ id: p.id, kind: 'view', payload: p.view }]
        : p.message.blocks
          ? [{ id: p.id, kind: 'blocks', payload: p.message.blocks }]
          : [],
  );
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(python, [VALIDATOR], { maxBuffer: 64 << 20, timeout: 120_000 }, (error, out, err) => {
      if (error) reject(new Error(`slack-sdk validator failed: ${err || error.message}`));
      else resolve(out);
    });
    child.stdin?.end(JSON.stringify(items));
  });
  const problems = JSON.parse(stdout) as Problem[];
  for (const p of payloads) if (p.kind === 'message') problems.push(...messageLimitProblems(p.id, p.message));
  return problems;
}
