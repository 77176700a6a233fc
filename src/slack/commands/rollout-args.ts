import { isBakeId } from '../../bake/bake-record.js';
import { isChangeId } from '../../rollout/change-record.js';
import { isAmiId } from '../../rollout/classify-tiers.js';
import { codeText } from '../blocks/block-text.js';
import { parsed, type Result, type UsageError, usageError } from './subcommand.js';

/** What was typed, echoed back inert. */
export const shown = (value: string) => codeText(value.slice(0, 40));

/** A bake id or an AMI id, checked against its pattern before anything looks it up. */
export function targetArg(value: string | undefined, usage: string): Result<string, UsageError> {
  if (value === undefined) return usageError(`Usage: \`${usage}\`.`);
  if (!isBakeId(value) && !isAmiId(value)) {
    return usageError(
      `${shown(value)} is neither a bake id (bake-20261128-k3m9) nor an AMI id (ami-0123456789abcdef0).`,
    );
  }
  return parsed(value);
}

/** The one argument of `/ami revert` and `/ami drain`: a change id, checked against its pattern. */
export function changeIdArg(args: readonly string[], usage: string): Result<string, UsageError> {
  if (args.length !== 1) return usageError(`Usage: \`${usage}\`.`);
  const id = args[0]!;
  return isChangeId(id)
    ? parsed(id)
    : usageError(`${shown(id)} is not a change id (like chg-20261128-k3m9); \`/ami history\` lists them.`);
}
