/**
 * POSIX single-quote quoting: inside '…' the shell interprets nothing, so the only character needing care
 * is the single quote itself, written as '\'' (close, escaped quote, reopen). Safe for any byte string
 * without NUL; used as a second line of defence after validation, never instead of it.
 */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error('shellQuote: a shell argument cannot contain a NUL byte');
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
