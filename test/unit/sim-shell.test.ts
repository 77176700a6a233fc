import { describe, expect, it } from 'vitest';
import { runScriptSource, type Shell, type ShellHost } from '../../src/sim/shell-interpreter.js';
import { createFilesystem } from '../../src/sim/sim-fs.js';

/** Runs a script to its end, summing the virtual time programs take (no event queue needed here). */
function sh(source: string, programs: Record<string, { ms: number; out?: string; exit?: number }> = {}) {
  const fs = createFilesystem();
  const host: ShellHost = {
    fs,
    scriptPath: '_script.sh',
    program: (argv) => {
      const p = programs[argv[0] ?? ''];
      return p && { durationMs: p.ms, stdout: p.out ?? '', stderr: '', exitCode: p.exit ?? 0 };
    },
  };
  const shell: Shell = { vars: new Map(), lastExit: 0, errexit: false, pipefail: false, conditionDepth: 0 };
  let stdout = '';
  let stderr = '';
  const run = runScriptSource(
    source,
    host,
    {
      stdin: '',
      out: (t) => {
        stdout += t;
      },
      err: (t) => {
        stderr += t;
      },
    },
    shell,
  );
  let elapsedMs = 0;
  for (let step = run.next(); ; step = run.next()) {
    if (step.done) return { exit: step.value, stdout, stderr, elapsedMs, fs };
    elapsedMs += step.value;
  }
}

describe('simulated shell (what AWS-RunShellScript runs)', () => {
  it('expands variables, $? and $(…), and takes the time its programs take', () => {
    const r = sh(
      [
        'log=/tmp/x.log',
        'slow > "$log" 2>&1',
        'rc=$?',
        'size=$(wc -c < "$log")',
        'echo "rc=$rc size=$size"',
        'exit $rc',
      ].join('\n'),
      {
        slow: { ms: 5_000, out: 'hello\n', exit: 3 },
      },
    );
    expect(r).toMatchObject({ exit: 3, stdout: 'rc=3 size=6\n', stderr: '', elapsedMs: 5_000 });
    expect(r.fs.files.get('/tmp/x.log')).toBe('hello\n');
  });

  it('if/then/else, test comparisons, && and ||', () => {
    expect(sh('if [ 30 -gt 20 ]; then echo big; else echo small; fi').stdout).toBe('big\n');
    expect(sh('if [ "$x" = "" ]\nthen\n  echo empty\nfi').stdout).toBe('empty\n');
    expect(sh('false && echo no || echo yes').stdout).toBe('yes\n');
  });

  it('set -e stops at the first failure outside conditions; pipefail keeps a failing exit in a pipe', () => {
    expect(sh('set -e\nif false; then echo a; fi\nfalse\necho unreachable')).toMatchObject({ exit: 1, stdout: '' });
    expect(sh('fail | tail -n 1', { fail: { ms: 1, exit: 4 } }).exit).toBe(0);
    expect(sh('set -o pipefail\nfail | tail -n 1', { fail: { ms: 1, exit: 4 } }).exit).toBe(4);
  });

  it('tail/head by lines and bytes, mkdir -p, and a redirect into a missing directory fails like bash', () => {
    expect(
      sh('printf_lines > /tmp/l\ntail -n 2 /tmp/l\nhead -c 3 /tmp/l', { printf_lines: { ms: 0, out: '1\n2\n3\n' } })
        .stdout,
    ).toBe('2\n3\n1\n2');
    expect(sh('echo x > /nope/file')).toMatchObject({
      exit: 1,
      stderr: '_script.sh: line 1: /nope/file: No such file or directory\n',
    });
    expect(sh('mkdir -p /var/log/ami-bot/a\necho x > /var/log/ami-bot/a/f && cat /var/log/ami-bot/a/f').stdout).toBe(
      'x\n',
    );
  });

  it('rm removes a file; rm -rf a directory and everything under it, like the real one', () => {
    const script = 'mkdir -p /d/e\necho x > /d/e/f\necho y > /d/g\necho z > /k\nrm -f /k\nrm -rf /d\n';
    expect(sh(`${script}cat /k /d/g 2>/dev/null || echo gone`).stdout).toBe('gone\n');
    expect(sh(`${script}echo w > /d/e/h`)).toMatchObject({ exit: 1 });
  });

  it('reports syntax errors and unknown commands with bash’s wording', () => {
    expect(sh('echo "unterminated')).toMatchObject({ exit: 2, stderr: expect.stringContaining('unexpected EOF') });
    expect(sh('if true; then echo x')).toMatchObject({ exit: 2, stderr: expect.stringContaining('syntax error') });
    expect(sh('echo ok\nnope arg')).toMatchObject({
      exit: 127,
      stdout: 'ok\n',
      stderr: '_script.sh: line 2: nope: command not found\n',
    });
  });
});
