import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../src/bake/shell-quote.js';

/** Runs `printf %s <quoted>` through a real POSIX shell and returns what the shell saw. */
function throughShell(value: string): string {
  return execFileSync('sh', ['-c', `printf %s ${shellQuote(value)}`], { encoding: 'utf8' });
}

describe('shellQuote', () => {
  it('wraps in single quotes and escapes embedded single quotes', () => {
    expect(shellQuote('ubuntu:22.04')).toBe("'ubuntu:22.04'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
  });

  it.each([
    '$(rm -rf /)',
    '`id`',
    'a\'b"c',
    'x; echo pwned',
    'line1\nline2',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal `${PATH}` is exactly what is being tested
    '$HOME ${PATH} * ? [a] ~ # & | < > \\',
    "''''",
  ])('a real shell reads %j back unchanged', (value) => {
    expect(throughShell(value)).toBe(value);
  });

  it('refuses NUL, which no shell argument can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});
