import { type ImageReference, validateImageReference } from './image-reference.js';
import { highstateScript, inventoryScript, isValidBakeId, pruneScript, pullScript } from './ssm-scripts.js';

/**
 * Every script ami-bot sends through SSM, as data. The simulator runs a model of the spec instead of
 * interpreting shell text, so it must know exactly which script it was given.
 */
export type ScriptSpec =
  | { kind: 'inventory' }
  | { kind: 'prune' }
  | { kind: 'pull'; ref: ImageReference }
  | { kind: 'highstate'; bakeId: string };

/** The lines the bot sends for a spec: the builders in ssm-scripts.ts, nothing else. */
export function buildScript(spec: ScriptSpec): string[] {
  switch (spec.kind) {
    case 'inventory':
      return inventoryScript();
    case 'prune':
      return pruneScript();
    case 'pull':
      return pullScript(spec.ref);
    case 'highstate':
      return highstateScript(spec.bakeId);
  }
}

const PULL_LINE = /^docker pull '([^']*)'$/;
const LOG_LINE = /^log='[^']*\/highstate-([^'/]*)\.log'$/;

/**
 * The spec whose script is exactly these lines, else undefined. Parameters are read loosely and the script is
 * rebuilt from them and compared line for line, so recognition cannot drift from the builders: a changed
 * builder is recognised as it now is, and any edit to a script (one character) is not.
 */
export function recogniseScript(lines: readonly string[]): ScriptSpec | undefined {
  return candidates(lines).find((spec) => isSameScript(buildScript(spec), lines));
}

function candidates(lines: readonly string[]): ScriptSpec[] {
  const specs: ScriptSpec[] = [{ kind: 'inventory' }, { kind: 'prune' }];
  const pulled = PULL_LINE.exec(lines[0] ?? '')?.[1];
  const checked = pulled === undefined ? undefined : validateImageReference(pulled);
  if (checked?.ok) specs.push({ kind: 'pull', ref: checked.ref });
  for (const line of lines) {
    const bakeId = LOG_LINE.exec(line)?.[1];
    if (bakeId !== undefined && isValidBakeId(bakeId)) specs.push({ kind: 'highstate', bakeId });
  }
  return specs;
}

function isSameScript(built: readonly string[], lines: readonly string[]): boolean {
  return built.length === lines.length && built.every((line, i) => line === lines[i]);
}
