import { AppError } from '../errors.js';
import type { HighstateSummary } from './bake-record.js';
import { type ImageReference, validateImageReference } from './image-reference.js';
import { shellQuote } from './shell-quote.js';

/**
 * Builders of the AWS-RunShellScript `commands` (run by a root shell on the executor template) and parsers
 * of their output. Builders take only validated, branded values; everything is still single-quoted.
 */

/**
 * Where salt's full output goes while the highstate runs. It holds diffs of managed files (pillar values,
 * passwords), so it must not end up in the AMI: /run is a tmpfs (RAM) on every systemd distribution, so the log
 * never touches the root volume that CreateImage snapshots (a file deleted from /tmp or /var/log can still sit
 * in the volume's free blocks, and /tmp is often on the root volume). The script removes it once the tail is
 * printed, and a reboot (CreateImage's own, or the template's stop) clears /run anyway if the script is killed.
 */
export const HIGHSTATE_LOG_DIR = '/run/ami-bot';
/** Where bakes before this change left their logs on the template (and so in every later AMI). */
export const LEGACY_HIGHSTATE_LOG_DIR = '/var/log/ami-bot';
export const HIGHSTATE_TAIL_CHARS = 20_000;
const BAKE_ID = /^[a-z0-9-]{1,64}$/;

export function isValidBakeId(bakeId: string): boolean {
  return BAKE_ID.test(bakeId);
}

export function highstateLogPath(bakeId: string): string {
  if (!isValidBakeId(bakeId)) {
    throw new AppError(
      'invalid_bake_id',
      `Bake id ${JSON.stringify(bakeId)} is not 1–64 lowercase letters, digits or dashes.`,
    );
  }
  return `${HIGHSTATE_LOG_DIR}/highstate-${bakeId}.log`;
}

/** Repository, tag and digest of every cached image, one per line. */
export function inventoryScript(): string[] {
  return [`docker images --format '{{.Repository}}:{{.Tag}}@{{.Digest}}'`];
}

/** Removes dangling images only (layers no tag points at any more); a tagged image is never touched. */
export function pruneScript(): string[] {
  return ['docker image prune --force'];
}

/** `docker image prune` output: how many layers it deleted and the space it reports, e.g. `1.2GB` (`0B` if none). */
export function parsePruneOutput(stdout: string): { deleted: number; reclaimed: string } {
  const deleted = stdout.split('\n').filter((line) => /^deleted: sha256:[0-9a-f]{64}$/.test(line.trim())).length;
  const reclaimed = /^Total reclaimed space: (\S+)$/m.exec(stdout)?.[1] ?? 'unknown space';
  return { deleted, reclaimed };
}

/** Belt and braces for code that casts its way past the brand: the text must still validate. */
function revalidated(ref: ImageReference): string {
  const checked = validateImageReference(typeof ref === 'object' && ref !== null ? ref.text : String(ref));
  if (!checked.ok)
    throw new AppError('invalid_image_reference', `Refusing to run a command with an unchecked image reference.`);
  return checked.ref.text;
}

export function pullScript(ref: ImageReference): string[] {
  return [`docker pull ${shellQuote(revalidated(ref))}`];
}

/**
 * Full output to a log in /run (not imaged), stdout gets its last part, then the log is removed; the exit code
 * is salt's own. Logs that earlier bakes left under /var/log/ami-bot are removed too, before the snapshot.
 */
export function highstateScript(bakeId: string): string[] {
  const log = highstateLogPath(bakeId);
  return [
    // Salt may live in /usr/local/bin or /usr/sbin, which the SSM agent's minimal PATH can miss.
    'export PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/sbin"',
    `rm -rf ${shellQuote(LEGACY_HIGHSTATE_LOG_DIR)}`,
    `mkdir -p ${shellQuote(HIGHSTATE_LOG_DIR)}`,
    `log=${shellQuote(log)}`,
    'salt-call state.highstate --retcode-passthrough --state-verbose=False --no-color > "$log" 2>&1',
    'rc=$?',
    'size=$(wc -c < "$log")',
    `if [ "$size" -gt ${HIGHSTATE_TAIL_CHARS} ]; then echo "[ami-bot] last ${HIGHSTATE_TAIL_CHARS} of $size bytes (the full log is not kept: it can hold secrets)"; fi`,
    `tail -c ${HIGHSTATE_TAIL_CHARS} "$log"`,
    'rm -f "$log"',
    'exit $rc',
  ];
}

/** Adds each line's normalized forms (by tag, by digest, by both) so any requested form can be matched. */
export function parseDockerImages(stdout: string): string[] {
  const refs = new Set<string>();
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    const at = line.lastIndexOf('@');
    const colon = line.lastIndexOf(':', at === -1 ? undefined : at);
    if (at === -1 || colon === -1) continue;
    const repo = line.slice(0, colon);
    const tag = line.slice(colon + 1, at);
    const digest = line.slice(at + 1);
    if (repo === '' || repo === '<none>') continue;
    const forms: string[] = [];
    if (tag !== '<none>' && tag !== '') forms.push(`${repo}:${tag}`);
    if (digest !== '<none>' && digest !== '') forms.push(`${repo}@${digest}`);
    if (forms.length === 2) forms.push(`${repo}:${tag}@${digest}`);
    for (const form of forms) {
      // Unparseable lines (warnings, odd registries) are skipped rather than failing the inventory.
      const checked = validateImageReference(form);
      if (checked.ok) refs.add(checked.ref.normalized);
    }
  }
  return [...refs];
}

export type { HighstateSummary };

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
/** Salt right-aligns state labels to column 12; comment continuation lines are indented further. */
const STATE_LINE = /^ {0,12}(ID|Name|Result|Comment): (.*)$/;

interface FailedState {
  /** The ID, with the state's name in parentheses when it differs. */
  label: string;
  /** The first line of salt's comment on it. */
  comment?: string;
}

function failedStateEntries(lines: string[]): FailedState[] {
  const failed: FailedState[] = [];
  let id: string | undefined;
  let name: string | undefined;
  let last: FailedState | undefined;
  for (const line of lines) {
    const match = STATE_LINE.exec(line);
    if (!match) continue;
    const value = (match[2] ?? '').trim();
    if (match[1] === 'ID') [id, name, last] = [value, undefined, undefined];
    else if (match[1] === 'Name') name = value;
    else if (match[1] === 'Comment') {
      if (last && last.comment === undefined) last.comment = value;
    } else if (value === 'False' && id !== undefined) {
      last = { label: name && name !== id ? `${id} (${name})` : id };
      failed.push(last);
      id = undefined;
    }
  }
  return failed;
}

function failedStateIds(lines: string[]): string[] {
  return failedStateEntries(lines).map((state) => state.label);
}

/** Each failed state with the first line of its comment (`id (name): comment`), for the failure message. */
export function parseFailedStates(stdout: string): string[] {
  const text = stdout.replace(ANSI, '').replaceAll('\r', '');
  const end = text.lastIndexOf('Summary for ');
  return failedStateEntries(text.slice(0, end === -1 ? undefined : end).split('\n')).map((state) =>
    state.comment ? `${state.label}: ${state.comment}` : state.label,
  );
}

/** Reads salt's "Summary for local" block; undefined when there is none (e.g. rendering failed). */
export function parseHighstateSummary(stdout: string): HighstateSummary | undefined {
  const text = stdout.replace(ANSI, '').replaceAll('\r', '');
  const start = text.lastIndexOf('Summary for ');
  if (start === -1) return undefined;
  const block = text.slice(start);
  const succeeded = /^Succeeded:\s*(\d+)(?:\s*\(changed=(\d+)\))?/m.exec(block);
  const failed = /^Failed:\s*(\d+)/m.exec(block);
  if (!succeeded || !failed) return undefined;
  const summary: HighstateSummary = {
    succeeded: Number(succeeded[1]),
    changed: Number(succeeded[2] ?? 0),
    failed: Number(failed[1]),
    failedStates: failedStateIds(text.slice(0, start).split('\n')),
  };
  const total = /^Total states run:\s*(\d+)/m.exec(block);
  if (total) summary.total = Number(total[1]);
  return summary;
}
