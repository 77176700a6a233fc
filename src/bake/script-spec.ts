import type { ContainerRuntime } from '../config.js';
import { type ImageReference, validateImageReference } from './image-reference.js';
import {
  detectRuntimeScript,
  highstateScript,
  inventoryScript,
  isContainerRuntime,
  isValidBakeId,
  provisionScript,
  pruneScript,
  pullScript,
} from './ssm-scripts.js';

/**
 * Every script ami-bot sends through SSM, as data. The simulator runs a model of the spec instead of
 * interpreting shell text, so it must know exactly which script it was given.
 */
export type ScriptSpec =
  | { kind: 'inventory'; runtime?: ContainerdCli }
  | { kind: 'prune' }
  | { kind: 'pull'; ref: ImageReference; runtime?: ContainerdCli }
  | { kind: 'highstate'; bakeId: string }
  | { kind: 'detect-runtime'; order: readonly ContainerRuntime[] }
  | { kind: 'provision'; bakeId: string; script: string };

/** A runtime other than docker; a spec without one is docker's (the scripts bakes always sent). */
export type ContainerdCli = Exclude<ContainerRuntime, 'docker'>;

/** The lines the bot sends for a spec: the builders in ssm-scripts.ts, nothing else. */
export function buildScript(spec: ScriptSpec): string[] {
  switch (spec.kind) {
    case 'inventory':
      return inventoryScript(spec.runtime);
    case 'prune':
      return pruneScript();
    case 'pull':
      return pullScript(spec.ref, spec.runtime);
    case 'highstate':
      return highstateScript(spec.bakeId);
    case 'detect-runtime':
      return detectRuntimeScript(spec.order);
    case 'provision':
      return provisionScript(spec.bakeId, spec.script);
  }
}

/** The spec a runtime's scripts carry: none for docker. */
export function specRuntime(runtime: ContainerRuntime): { runtime?: ContainerdCli } {
  return runtime === 'docker' ? {} : { runtime };
}

const PULL_LINE = /^(?:docker pull|nerdctl --namespace k8s\.io pull|ctr --namespace k8s\.io images pull) '([^']*)'$/;
const LOG_LINE = /^log='[^']*\/(highstate|provision)-([^'/]*)\.log'$/;
const PROVISION_LINE = /^'(\/[^']*)' > "\$log" 2>&1$/;
const DETECT_LINE = /^if ! command -v (\w+) /;

/**
 * The spec whose script is exactly these lines, else undefined. Parameters are read loosely and the script is
 * rebuilt from them and compared line for line, so recognition cannot drift from the builders: a changed
 * builder is recognised as it now is, and any edit to a script (one character) is not.
 */
export function recogniseScript(lines: readonly string[]): ScriptSpec | undefined {
  return candidates(lines).find((spec) => isSameScript(buildOrNothing(spec), lines));
}

const CONTAINERD_CLIS: readonly ContainerdCli[] = ['nerdctl', 'ctr'];

function candidates(lines: readonly string[]): ScriptSpec[] {
  const specs: ScriptSpec[] = [{ kind: 'inventory' }, { kind: 'prune' }];
  for (const runtime of CONTAINERD_CLIS) specs.push({ kind: 'inventory', runtime });
  for (const line of lines.slice(0, 2)) {
    const pulled = PULL_LINE.exec(line)?.[1];
    const checked = pulled === undefined ? undefined : validateImageReference(pulled);
    if (!checked?.ok) continue;
    specs.push({ kind: 'pull', ref: checked.ref });
    for (const runtime of CONTAINERD_CLIS) specs.push({ kind: 'pull', ref: checked.ref, runtime });
  }
  const script = lines.map((line) => PROVISION_LINE.exec(line)?.[1]).find((path) => path !== undefined);
  for (const line of lines) {
    const [, name, bakeId] = LOG_LINE.exec(line) ?? [];
    if (bakeId === undefined || !isValidBakeId(bakeId)) continue;
    if (name === 'highstate') specs.push({ kind: 'highstate', bakeId });
    else if (script !== undefined) specs.push({ kind: 'provision', bakeId, script });
  }
  const order = lines.map((line) => DETECT_LINE.exec(line)?.[1]).filter((name) => name !== undefined);
  if (order.length > 0 && order.every(isContainerRuntime)) specs.push({ kind: 'detect-runtime', order });
  return specs;
}

/** A candidate read from foreign text may not build (an invalid path or order): then it is not the script. */
function buildOrNothing(spec: ScriptSpec): string[] | undefined {
  try {
    return buildScript(spec);
  } catch {
    return undefined;
  }
}

function isSameScript(built: readonly string[] | undefined, lines: readonly string[]): boolean {
  return built !== undefined && built.length === lines.length && built.every((line, i) => line === lines[i]);
}
