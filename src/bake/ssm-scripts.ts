import type { ContainerRuntime } from '../config.js';
import { AppError } from '../errors.js';
import { isValidScriptPath, scriptPathProblem } from '../shared/script-path.js';
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

/** The log a logged run (salt's highstate, the provisioning script) writes in /run while it runs. */
function runLogPath(bakeId: string, name: 'highstate' | 'provision'): string {
  if (!isValidBakeId(bakeId)) {
    throw new AppError(
      'invalid_bake_id',
      `Bake id ${JSON.stringify(bakeId)} is not 1–64 lowercase letters, digits or dashes.`,
    );
  }
  return `${HIGHSTATE_LOG_DIR}/${name}-${bakeId}.log`;
}

export function highstateLogPath(bakeId: string): string {
  return runLogPath(bakeId, 'highstate');
}

export function provisionLogPath(bakeId: string): string {
  return runLogPath(bakeId, 'provision');
}

/**
 * Salt, nerdctl and ctr may live in /usr/local/bin or /usr/sbin, which the SSM agent's minimal PATH can miss.
 * (The docker scripts never had it: they stay as they were.)
 */
const SEARCH_PATH = 'export PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/sbin"';

/** The containerd namespace the kubelet's CRI reads images from: an image pulled anywhere else is not used. */
export const K8S_NAMESPACE = 'k8s.io';
const NERDCTL = `nerdctl --namespace ${K8S_NAMESPACE}`;
const CTR = `ctr --namespace ${K8S_NAMESPACE}`;
const IMAGE_FORMAT = "'{{.Repository}}:{{.Tag}}@{{.Digest}}'";

/**
 * Repository, tag and digest of every cached image, one per line (docker, nerdctl: the same format); ctr has no
 * format option, so its table is read by `parseCtrImages`.
 */
export function inventoryScript(runtime: ContainerRuntime = 'docker'): string[] {
  if (runtime === 'nerdctl') return [SEARCH_PATH, `${NERDCTL} images --format ${IMAGE_FORMAT}`];
  if (runtime === 'ctr') return [SEARCH_PATH, `${CTR} images ls`];
  return [`docker images --format ${IMAGE_FORMAT}`];
}

/**
 * Removes dangling images only (layers no tag points at any more); a tagged image is never touched. Docker only:
 * containerd deletes content no image references by itself (its garbage collector), so there is nothing to prune.
 */
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
function revalidated(ref: ImageReference): ImageReference {
  const checked = validateImageReference(typeof ref === 'object' && ref !== null ? ref.text : String(ref));
  if (!checked.ok)
    throw new AppError('invalid_image_reference', `Refusing to run a command with an unchecked image reference.`);
  return checked.ref;
}

/**
 * One image, pulled with the template's runtime into the store its containers use. ctr resolves no short names
 * (`ubuntu` is `docker.io/library/ubuntu:latest` to it), so it gets the canonical reference.
 */
export function pullScript(ref: ImageReference, runtime: ContainerRuntime = 'docker'): string[] {
  const checked = revalidated(ref);
  if (runtime === 'nerdctl') return [SEARCH_PATH, `${NERDCTL} pull ${shellQuote(checked.text)}`];
  if (runtime === 'ctr') return [SEARCH_PATH, `${CTR} images pull ${shellQuote(checked.normalized)}`];
  return [`docker pull ${shellQuote(checked.text)}`];
}

/** Each runtime's check that its daemon answers: a CLI without its daemon cannot pull. */
const DAEMON_CHECK: Record<ContainerRuntime, string> = {
  docker: 'docker version',
  nerdctl: `${NERDCTL} version`,
  ctr: `${CTR} version`,
};

/** The detect-runtime script's exit code when no runtime in its list is installed with its daemon answering. */
export const NO_RUNTIME_EXIT = 3;

export function isContainerRuntime(value: string): value is ContainerRuntime {
  return Object.hasOwn(DAEMON_CHECK, value);
}

/**
 * The first runtime of `order` that is installed and whose daemon answers: `runtime=<name>` and exit 0; else one
 * line per runtime saying why not, and exit NO_RUNTIME_EXIT. Reads only: it changes nothing on the template.
 */
export function detectRuntimeScript(order: readonly ContainerRuntime[]): string[] {
  if (order.length === 0 || new Set(order).size !== order.length || !order.every(isContainerRuntime)) {
    throw new AppError('internal_error', `Not a runtime detection order: ${JSON.stringify(order)}.`);
  }
  return [
    SEARCH_PATH,
    ...order.map(
      (runtime) =>
        `if ! command -v ${runtime} > /dev/null 2>&1; then echo '${runtime}: not installed'; elif ${DAEMON_CHECK[runtime]} > /dev/null 2>&1; then echo 'runtime=${runtime}'; exit 0; else echo '${runtime}: installed, but its daemon did not answer'; fi`,
    ),
    `exit ${NO_RUNTIME_EXIT}`,
  ];
}

/** What the detect-runtime script found: the runtime, and for the others why not (`ctr: not installed`). */
export function parseDetectedRuntime(stdout: string): { runtime?: ContainerRuntime; notes: string[] } {
  const lines = stdout.split('\n').map((line) => line.trim());
  const found = lines.map((line) => /^runtime=(\w+)$/.exec(line)?.[1]).find((name) => name !== undefined);
  const notes = lines.filter((line) => /^\w+: (not installed|installed, but its daemon did not answer)$/.test(line));
  return found !== undefined && isContainerRuntime(found) ? { runtime: found, notes } : { notes };
}

/**
 * A program run with its full output in a log in /run (not imaged, see HIGHSTATE_LOG_DIR); stdout gets the log's
 * last part, then the log is removed; the exit code is the program's own. Logs that earlier bakes left under
 * /var/log/ami-bot are removed too, before the snapshot. Salt's highstate and the provisioning script share it.
 */
function loggedRunScript(log: string, command: string): string[] {
  return [
    SEARCH_PATH,
    `rm -rf ${shellQuote(LEGACY_HIGHSTATE_LOG_DIR)}`,
    `mkdir -p ${shellQuote(HIGHSTATE_LOG_DIR)}`,
    `log=${shellQuote(log)}`,
    `${command} > "$log" 2>&1`,
    'rc=$?',
    'size=$(wc -c < "$log")',
    `if [ "$size" -gt ${HIGHSTATE_TAIL_CHARS} ]; then echo "[ami-bot] last ${HIGHSTATE_TAIL_CHARS} of $size bytes (the full log is not kept: it can hold secrets)"; fi`,
    `tail -c ${HIGHSTATE_TAIL_CHARS} "$log"`,
    'rm -f "$log"',
    'exit $rc',
  ];
}

/** `salt-call state.highstate`, logged; --retcode-passthrough makes a failed state fail the script. */
export function highstateScript(bakeId: string): string[] {
  return loggedRunScript(
    highstateLogPath(bakeId),
    'salt-call state.highstate --retcode-passthrough --state-verbose=False --no-color',
  );
}

/** What the provisioning script says on stderr when the configured path is missing or not executable. */
export const PROVISION_MISSING = '[ami-bot] the provisioning script is not on the template';
export const PROVISION_NOT_EXECUTABLE = '[ami-bot] the provisioning script is not executable';

/**
 * The configured provisioning script, run as a program (its own #! line), logged like the highstate. A missing
 * script exits 127 and one that is not executable 126, as bash does, but saying so in our words: an exit 127 of
 * the script itself (a command it lacks) is its own failure, not a missing script.
 */
export function provisionScript(bakeId: string, scriptPath: string): string[] {
  if (!isValidScriptPath(scriptPath)) {
    throw new AppError(
      'invalid_script_path',
      `The provisioning script path ${JSON.stringify(scriptPath.slice(0, 80))} is not valid: ${scriptPathProblem(scriptPath)}.`,
    );
  }
  const script = shellQuote(scriptPath);
  return [
    `if [ ! -f ${script} ]; then echo '${PROVISION_MISSING}' >&2; exit 127; fi`,
    `if [ ! -x ${script} ]; then echo '${PROVISION_NOT_EXECUTABLE}' >&2; exit 126; fi`,
    ...loggedRunScript(provisionLogPath(bakeId), script),
  ];
}

/**
 * `ctr images ls` rows (REF TYPE DIGEST SIZE PLATFORMS LABELS, SIZE being two words) as the same normalized forms
 * `parseDockerImages` gives: by tag, by digest, by both. containerd's own image-id names (`sha256:…`) are not
 * references and are skipped, as are the header and anything else that does not parse.
 */
export function parseCtrImages(stdout: string): string[] {
  const refs = new Set<string>();
  for (const raw of stdout.split('\n')) {
    const [name, , digest] = raw.trim().split(/\s+/);
    if (name === undefined || digest === undefined || name === 'REF' || name.startsWith('sha256:')) continue;
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) continue;
    const byDigest = name.includes('@');
    const repo = byDigest ? name.slice(0, name.indexOf('@')) : name.slice(0, name.lastIndexOf(':'));
    const forms = byDigest ? [name] : [name, `${repo}@${digest}`, `${name}@${digest}`];
    for (const form of forms) {
      const checked = validateImageReference(form);
      if (checked.ok) refs.add(checked.ref.normalized);
    }
  }
  return [...refs];
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
