import { DEPLOYMENT_NAME_PATTERN } from '../../config-schema.js';
import type { Reply } from '../../shared/reply.js';
import type { Caller } from '../authorize.js';
import type { UseCases } from '../listeners.js';
import type { Word } from '../tokenize.js';

/** Why typed input is not a command; `message` is shown to the admin as is (it already escapes what it echoes). */
export interface UsageError {
  code: 'invalid_command';
  message: string;
}

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export const parsed = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const usageError = (message: string): Result<never, UsageError> => ({
  ok: false,
  error: { code: 'invalid_command', message },
});

/** One line of `/ami help`: a form of the subcommand and what it does. */
export interface HelpLine {
  usage: string;
  summary: string;
}

/** Who asked (already authorised) and the use cases a subcommand may call (exactly one per command). */
export interface CommandContext {
  caller: Caller;
  useCases: UseCases;
}

/**
 * One `/ami` subcommand: its name (the first word, any case), its help lines, a pure parser of the words after
 * the name, and `run`, which calls one use case. `parse` and `run` are methods so an entry for one command type
 * fits the table's `Subcommand<Command>`: `run` is only ever given what its own `parse` returned.
 */
export interface Subcommand<C> {
  name: string;
  help: readonly HelpLine[];
  parse(args: readonly Word[]): Result<C, UsageError>;
  run(command: C, ctx: CommandContext): Promise<Reply>;
}

/** The words' values, for the subcommands that need no raw text. */
export const valuesOf = (args: readonly Word[]): string[] => args.map((word) => word.value);

/** An optional single argument (`/ami status [bake-id]`): none, or one word; more are a usage error. */
export function optionalArg(args: readonly Word[], usage: string): Result<string | undefined, UsageError> {
  const values = valuesOf(args);
  if (values.length > 1) return usageError(`Usage: \`${usage}\`.`);
  return parsed(values[0]);
}

/** An optional `[deployment]`: none, or one name spelled as the configuration's deployment names are. */
export function optionalDeployment(args: readonly Word[], usage: string): Result<string | undefined, UsageError> {
  const deployment = optionalArg(args, usage);
  if (!deployment.ok || deployment.value === undefined || DEPLOYMENT_NAME_PATTERN.test(deployment.value))
    return deployment;
  return usageError(
    `A deployment name is lowercase letters, digits and dashes (as in the configuration). Usage: \`${usage}\`.`,
  );
}
