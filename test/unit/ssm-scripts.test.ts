import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../../src/bake/image-reference.js';
import {
  HIGHSTATE_LOG_DIR,
  HIGHSTATE_TAIL_CHARS,
  highstateScript,
  inventoryScript,
  isValidBakeId,
  LEGACY_HIGHSTATE_LOG_DIR,
  parseDockerImages,
  pullScript,
} from '../../src/bake/ssm-scripts.js';
import { AppError } from '../../src/errors.js';

describe('inventoryScript / pullScript', () => {
  it('lists repository, tag and digest of every image', () => {
    expect(inventoryScript()).toEqual(["docker images --format '{{.Repository}}:{{.Tag}}@{{.Digest}}'"]);
  });

  it('pulls exactly the validated reference, single-quoted', () => {
    const ref = parseImageReference('quay.io/domino/base:DED_py3.6_R3.4_23052018');
    expect(pullScript(ref)).toEqual(["docker pull 'quay.io/domino/base:DED_py3.6_R3.4_23052018'"]);
    const pinned = parseImageReference(`localhost:5000/a/b@sha256:${'0'.repeat(64)}`);
    expect(pullScript(pinned)).toEqual([`docker pull 'localhost:5000/a/b@sha256:${'0'.repeat(64)}'`]);
  });

  it('does not accept a raw string or a hand-made object (type-level guarantee)', () => {
    // @ts-expect-error a plain string is not an ImageReference
    expect(() => pullScript('ubuntu; rm -rf /')).toThrow(AppError);
    const forged = { text: 'x; reboot', path: 'x', normalized: 'x' };
    // @ts-expect-error an object without the brand cannot be passed either
    expect(() => pullScript(forged)).toThrow(AppError);
  });
});

describe('highstateScript', () => {
  const bakeId = 'bake-20250101-abcd';

  it('logs everything, prints the tail and keeps salt’s exit code', () => {
    const lines = highstateScript(bakeId);
    expect(lines).toContain(
      'salt-call state.highstate --retcode-passthrough --state-verbose=False --no-color > "$log" 2>&1',
    );
    expect(lines).toContain(`log='${HIGHSTATE_LOG_DIR}/highstate-${bakeId}.log'`);
    expect(lines).toContain(`tail -c ${HIGHSTATE_TAIL_CHARS} "$log"`);
    expect(lines.at(-1)).toBe('exit $rc');
  });

  it.each(['', 'Bake-1', '../../etc/passwd', 'a b', 'x;reboot', 'a'.repeat(65)])('rejects bake id %j', (id) => {
    expect(isValidBakeId(id)).toBe(false);
    expect(() => highstateScript(id)).toThrow(AppError);
  });

  it('runs in a real shell: exit code 2 passes through, only the last 20,000 chars are printed, no log is left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'highstate-'));
    const fake = join(dir, 'salt-call');
    // A fake salt that prints 50,000 chars of state output (with a secret in a diff), then the summary, and
    // fails like salt does.
    writeFileSync(
      fake,
      '#!/bin/sh\necho "+    db_password: hunter2"\nawk \'BEGIN { for (i = 0; i < 1000; i++) printf "%049d\\n", i }\'\n' +
        'printf "Summary for local\\n------------\\nSucceeded: 85 (changed=3)\\nFailed:    2\\n"\nexit 2\n',
    );
    chmodSync(fake, 0o755);
    // A log an earlier bake left where it would be imaged.
    mkdirSync(join(dir, 'legacy'));
    writeFileSync(join(dir, 'legacy', 'highstate-bake-20240101-aaaa.log'), '+ password: old\n');
    const script = highstateScript(bakeId)
      .join('\n')
      .replaceAll(LEGACY_HIGHSTATE_LOG_DIR, join(dir, 'legacy'))
      .replaceAll(HIGHSTATE_LOG_DIR, join(dir, 'run'));
    let status = 0;
    let stdout = '';
    try {
      execFileSync('/bin/bash', ['-c', script], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
      });
    } catch (error) {
      ({ status, stdout } = error as { status: number; stdout: string });
    }
    expect(status).toBe(2);
    expect(stdout).toMatch(/^\[ami-bot\] last 20000 of \d+ bytes \(the full log is not kept/);
    expect(stdout.endsWith('Failed:    2\n')).toBe(true);
    expect(stdout.length).toBeLessThan(24_000);
    // Nothing of salt's output is left on disk: not the new log, not the old ones.
    expect(existsSync(join(dir, 'run', `highstate-${bakeId}.log`))).toBe(false);
    expect(readdirSync(join(dir, 'run'))).toEqual([]);
    expect(existsSync(join(dir, 'legacy'))).toBe(false);
  });

  it('logs only under /run (a tmpfs, not on the imaged root volume)', () => {
    expect(HIGHSTATE_LOG_DIR).toBe('/run/ami-bot');
    const script = highstateScript(bakeId).join('\n');
    expect(script).not.toMatch(/\/var\/log\/ami-bot\/|\/tmp\//);
    expect(script.indexOf('rm -f "$log"')).toBeGreaterThan(script.indexOf('tail -c'));
  });
});

/** Runs the lines in a real /bin/bash with a stub `docker` on PATH that logs its argv and answers like docker. */
function runWithStubDocker(lines: string[], stub: string) {
  const dir = mkdtempSync(join(tmpdir(), 'docker-stub-'));
  const seen = join(dir, 'argv.log');
  writeFileSync(join(dir, 'docker'), `#!/bin/bash\nprintf '%s\\n' "$*" >> '${seen}'\n${stub}\n`);
  chmodSync(join(dir, 'docker'), 0o755);
  let status = 0;
  let stdout = '';
  try {
    stdout = execFileSync('/bin/bash', ['-c', lines.join('\n')], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    ({ status, stdout } = error as { status: number; stdout: string });
  }
  const argv = existsSync(seen) ? readFileSync(seen, 'utf8').trim().split('\n') : [];
  return { status, stdout, argv };
}

describe('inventory and pull scripts in a real bash with a stub docker', () => {
  const digest = `sha256:${'a'.repeat(64)}`;

  it('inventory: docker sees one format argument and the bot parses what it prints', () => {
    const r = runWithStubDocker(
      inventoryScript(),
      `printf 'quay.io/domino/base:v1@${digest}\\n<none>:<none>@<none>\\n'`,
    );
    expect(r.status).toBe(0);
    expect(r.argv).toEqual(['images --format {{.Repository}}:{{.Tag}}@{{.Digest}}']);
    expect(parseDockerImages(r.stdout)).toEqual(
      expect.arrayContaining(['quay.io/domino/base:v1', `quay.io/domino/base@${digest}`]),
    );
  });

  it('pull: docker gets exactly the reference, and its exit code is the script’s (failure, then a retry)', () => {
    const ref = parseImageReference('quay.io/domino/spark:3.3.0');
    const failing = runWithStubDocker(pullScript(ref), 'echo "manifest unknown" >&2; exit 1');
    expect(failing).toMatchObject({ status: 1, argv: ['pull quay.io/domino/spark:3.3.0'] });
    const retried = runWithStubDocker(pullScript(ref), 'echo "Status: Downloaded newer image"');
    expect(retried).toMatchObject({ status: 0, argv: ['pull quay.io/domino/spark:3.3.0'] });
    expect(retried.stdout).toContain('Downloaded newer image');
  });
});
