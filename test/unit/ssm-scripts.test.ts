import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../../src/bake/image-reference.js';
import type { ScriptSpec } from '../../src/bake/script-spec.js';
import {
  detectRuntimeScript,
  HIGHSTATE_LOG_DIR,
  HIGHSTATE_TAIL_CHARS,
  highstateScript,
  inventoryScript,
  isValidBakeId,
  LEGACY_HIGHSTATE_LOG_DIR,
  NO_RUNTIME_EXIT,
  PROVISION_MISSING,
  PROVISION_NOT_EXECUTABLE,
  parseCtrImages,
  parseDetectedRuntime,
  parseDockerImages,
  parseFailedStates,
  parseHighstateSummary,
  parsePruneOutput,
  provisionScript,
  pruneScript,
  pullScript,
} from '../../src/bake/ssm-scripts.js';
import { AppError } from '../../src/errors.js';
import { createFaults, createManualClock, createSimulator } from '../../src/sim/index.js';
import { saltHighstate } from '../../src/sim/salt-highstate.js';
import { highstateStdout } from '../../src/sim/script-models.js';

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

  it('logs only under /run (a tmpfs, not on the imaged root volume)', () => {
    expect(HIGHSTATE_LOG_DIR).toBe('/run/ami-bot');
    const script = highstateScript(bakeId).join('\n');
    expect(script).not.toMatch(/\/var\/log\/ami-bot\/|\/tmp\//);
    expect(script.indexOf('rm -f "$log"')).toBeGreaterThan(script.indexOf('tail -c'));
  });
});

/** The script's output and exit code, and every call of a stub (`name args…`), from a real /bin/bash. */
interface BashRun {
  status: number | null;
  stdout: string;
  stderr: string;
  calls: string[];
}

/**
 * Runs the lines in a real /bin/bash with stub programs first on PATH. Each stub logs its name and argv (and, with
 * `fds`, where its stdout and stderr go), then runs its body.
 */
function runInBash(lines: string[], stubs: Record<string, string>, dir = mkdtempSync(join(tmpdir(), 'ssm-stub-'))) {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const log = join(dir, 'calls.log');
  for (const [name, body] of Object.entries(stubs)) {
    const stub = `#!/bin/bash\nprintf '%s\\n' "${name} $*" >> '${log}'\n${body}\n`;
    writeFileSync(join(bin, name), stub);
    chmodSync(join(bin, name), 0o755);
  }
  const result = spawnSync('/bin/bash', ['-c', lines.join('\n')], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls } satisfies BashRun;
}

/** A stub line that logs where the program's stdout and stderr go (salt's must be the log file). */
const LOG_FDS = (dir: string) =>
  `printf 'fds %s %s\\n' "$(readlink /proc/$$/fd/1)" "$(readlink /proc/$$/fd/2)" >> '${dir}/calls.log'`;

/**
 * A logged script (highstate, provision) with its two directories moved under a temp dir (the only edit: the
 * test checks both constants were there to replace), and a log an earlier bake left in the legacy one.
 */
function runLogged(original: string[], logName: string, stubs: Record<string, string>, dir: string) {
  const dirs = { run: join(dir, 'run'), legacy: join(dir, 'legacy') };
  mkdirSync(dirs.legacy);
  writeFileSync(join(dirs.legacy, 'highstate-bake-20240101-aaaa.log'), '+ password: old\n');
  const lines = original.map((line) =>
    line.replaceAll(LEGACY_HIGHSTATE_LOG_DIR, dirs.legacy).replaceAll(HIGHSTATE_LOG_DIR, dirs.run),
  );
  expect(lines.filter((line, i) => line !== original[i])).toHaveLength(3); // rm -rf, mkdir -p, log=
  const run = runInBash(lines, stubs, dir);
  return { ...run, dirs, log: join(dirs.run, logName) };
}

/** The highstate script with a stub salt-call that prints `saltOutput` and exits with `saltExit`. */
function runHighstate(bakeId: string, saltOutput: string, saltExit: number) {
  const dir = mkdtempSync(join(tmpdir(), 'highstate-'));
  writeFileSync(join(dir, 'salt-output.txt'), saltOutput);
  const salt = `${LOG_FDS(dir)}\ncat '${join(dir, 'salt-output.txt')}'\nexit ${saltExit}`;
  return runLogged(highstateScript(bakeId), `highstate-${bakeId}.log`, { 'salt-call': salt }, dir);
}

/** Salt's output as the simulator's salt-call prints it, so bash and the simulator's model get the same log. */
function simulatedSaltOutput(faults: string[]): string {
  const sim = createSimulator({ clock: createManualClock(), faults, write: () => {} });
  const [instance] = sim.world.instances.values();
  return saltHighstate({ world: sim.world, instance: instance!, faults: createFaults(faults), atMs: 0 }).stdout;
}

const digest = `sha256:${'a'.repeat(64)}`;

/** A stub body that prints exactly `output` (kept in a file: no quoting of tables and quotes in the stub). */
function printing(output: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'stub-out-')), 'out.txt');
  writeFileSync(file, output);
  return `cat '${file}'`;
}

/** Whether a program is in the directories the containerd scripts add to PATH (this machine's, not a stub). */
function isOnSearchPath(program: string): boolean {
  return ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/sbin'].some((dir) => existsSync(join(dir, program)));
}
const SALT_ARGV = 'salt-call state.highstate --retcode-passthrough --state-verbose=False --no-color';

/**
 * Every script the bot sends, run in a real /bin/bash with stub programs on PATH (docker, nerdctl, ctr, salt-call,
 * the provisioning script). Keyed by the script's kind, so a new kind in ScriptSpec does not compile until it has
 * its real-bash tests here.
 */
const REAL_BASH: Record<ScriptSpec['kind'], () => void> = {
  inventory() {
    it('docker sees one format argument and the bot parses what it prints', () => {
      const r = runInBash(inventoryScript(), {
        docker: `printf 'quay.io/domino/base:v1@${digest}\\n<none>:<none>@<none>\\n'`,
      });
      expect(r.status).toBe(0);
      expect(r.calls).toEqual(['docker images --format {{.Repository}}:{{.Tag}}@{{.Digest}}']);
      expect(parseDockerImages(r.stdout)).toEqual(
        expect.arrayContaining(['quay.io/domino/base:v1', `quay.io/domino/base@${digest}`]),
      );
    });

    it('a docker that fails fails the script with its exit code and message', () => {
      const r = runInBash(inventoryScript(), { docker: 'echo "Cannot connect to the Docker daemon" >&2; exit 1' });
      expect(r).toMatchObject({ status: 1, stdout: '', stderr: 'Cannot connect to the Docker daemon\n' });
      expect(parseDockerImages(r.stdout)).toEqual([]);
    });

    it('nerdctl lists containerd’s k8s.io namespace in docker’s format', () => {
      const r = runInBash(inventoryScript('nerdctl'), {
        nerdctl: printing(`quay.io/domino/base:v1@${digest}\n<none>:<none>@${digest}\n`),
      });
      expect(r.status).toBe(0);
      expect(r.calls).toEqual(['nerdctl --namespace k8s.io images --format {{.Repository}}:{{.Tag}}@{{.Digest}}']);
      expect(parseDockerImages(r.stdout).sort()).toEqual(
        ['quay.io/domino/base:v1', `quay.io/domino/base@${digest}`, `quay.io/domino/base:v1@${digest}`].sort(),
      );
    });

    it('ctr prints its table; the bot reads each ref and digest, skipping the header and containerd’s sha256 ids', () => {
      const other = `sha256:${'b'.repeat(64)}`;
      const table = [
        'REF                                    TYPE                                       DIGEST    SIZE      PLATFORMS   LABELS',
        `docker.io/library/ubuntu:22.04         application/vnd.oci.image.index.v1+json    ${digest} 28.2 MiB  linux/amd64 io.cri-containerd.image=managed`,
        `quay.io/domino/base@${other} application/vnd.oci.image.index.v1+json ${other} 1.2 GiB linux/amd64 -`,
        `sha256:${'c'.repeat(64)} application/vnd.oci.image.index.v1+json ${digest} 28.2 MiB linux/amd64 io.cri-containerd.image=managed`,
        'time="2026-01-01T00:00:00Z" level=warning msg="something odd"',
      ];
      const r = runInBash(inventoryScript('ctr'), { ctr: printing(`${table.join('\n')}\n`) });
      expect(r.status).toBe(0);
      expect(r.calls).toEqual(['ctr --namespace k8s.io images ls']);
      expect(parseCtrImages(r.stdout).sort()).toEqual(
        [
          'docker.io/library/ubuntu:22.04',
          `docker.io/library/ubuntu@${digest}`,
          `docker.io/library/ubuntu:22.04@${digest}`,
          `quay.io/domino/base@${other}`,
        ].sort(),
      );
    });

    it('a ctr whose containerd is down fails the script with its message', () => {
      const r = runInBash(inventoryScript('ctr'), {
        ctr: 'echo "ctr: failed to dial /run/containerd/containerd.sock: connection refused" >&2; exit 1',
      });
      expect(r).toMatchObject({ status: 1, stdout: '' });
      expect(r.stderr).toContain('connection refused');
      expect(parseCtrImages(r.stdout)).toEqual([]);
    });
  },

  prune() {
    const layer = (c: string) => `sha256:${c.repeat(64)}`;

    it('docker removes dangling images only (no -a), and the bot reads what it deleted and reclaimed', () => {
      const r = runInBash(pruneScript(), {
        docker: `printf 'Deleted Images:\\nuntagged: quay.io/domino/base@${layer('b')}\\ndeleted: ${layer('c')}\\ndeleted: ${layer('d')}\\n\\nTotal reclaimed space: 1.2GB\\n'`,
      });
      expect(r.status).toBe(0);
      expect(r.calls).toEqual(['docker image prune --force']);
      expect(parsePruneOutput(r.stdout)).toEqual({ deleted: 2, reclaimed: '1.2GB' });
    });

    it('nothing dangling: nothing deleted, 0B; a docker that fails fails the script with its message', () => {
      const none = runInBash(pruneScript(), { docker: `echo 'Total reclaimed space: 0B'` });
      expect(parsePruneOutput(none.stdout)).toEqual({ deleted: 0, reclaimed: '0B' });
      const down = runInBash(pruneScript(), { docker: 'echo "Cannot connect to the Docker daemon" >&2; exit 1' });
      expect(down).toMatchObject({ status: 1, stdout: '', stderr: 'Cannot connect to the Docker daemon\n' });
      expect(parsePruneOutput(down.stdout)).toEqual({ deleted: 0, reclaimed: 'unknown space' });
    });
  },

  pull() {
    const ref = parseImageReference('quay.io/domino/spark:3.3.0');

    it('docker gets exactly the reference; a transient failure, then the retry succeeds', () => {
      const dir = mkdtempSync(join(tmpdir(), 'docker-stub-'));
      // Fails the first time only, like the simulator's pull-flaky fault.
      const docker = `if [ ! -e '${dir}/failed-once' ]; then : > '${dir}/failed-once'; echo 'Error response from daemon: Get "https://quay.io/v2/": net/http: request canceled (Client.Timeout exceeded while awaiting headers)' >&2; exit 1; fi\necho "Status: Downloaded newer image for $2"`;
      const first = runInBash(pullScript(ref), { docker }, dir);
      expect(first).toMatchObject({ status: 1, stdout: '', calls: ['docker pull quay.io/domino/spark:3.3.0'] });
      expect(first.stderr).toContain('Client.Timeout exceeded');
      const retried = runInBash(pullScript(ref), { docker }, dir);
      expect(retried).toMatchObject({ status: 0, stderr: '' });
      expect(retried.calls).toEqual([
        'docker pull quay.io/domino/spark:3.3.0',
        'docker pull quay.io/domino/spark:3.3.0',
      ]);
      expect(retried.stdout).toBe('Status: Downloaded newer image for quay.io/domino/spark:3.3.0\n');
    });

    it('a registry error fails the script with docker’s exit code and message', () => {
      const r = runInBash(pullScript(ref), { docker: 'echo "manifest unknown" >&2; exit 1' });
      expect(r).toMatchObject({
        status: 1,
        stderr: 'manifest unknown\n',
        calls: ['docker pull quay.io/domino/spark:3.3.0'],
      });
    });

    it('ctr pulls the canonical reference into k8s.io (it resolves no short names); its error fails the script', () => {
      const hub = parseImageReference('ubuntu');
      const ok = runInBash(pullScript(hub, 'ctr'), { ctr: 'echo "$5: resolved"; echo done' });
      expect(ok).toMatchObject({
        status: 0,
        calls: ['ctr --namespace k8s.io images pull docker.io/library/ubuntu:latest'],
      });
      expect(ok.stdout).toBe('docker.io/library/ubuntu:latest: resolved\ndone\n');
      const pinned = parseImageReference(`quay.io/domino/spark:3.3.0@${digest}`);
      const missing = runInBash(pullScript(pinned, 'ctr'), {
        ctr: 'echo "ctr: failed to resolve reference \\"$5\\": $5: not found" >&2; exit 1',
      });
      expect(missing.calls).toEqual([`ctr --namespace k8s.io images pull quay.io/domino/spark:3.3.0@${digest}`]);
      expect(missing).toMatchObject({ status: 1, stdout: '' });
      expect(missing.stderr).toContain('not found');
    });

    it('nerdctl pulls the reference as requested into k8s.io, and passes its exit code on', () => {
      const r = runInBash(pullScript(parseImageReference('ubuntu:22.04'), 'nerdctl'), {
        nerdctl: 'echo "level=fatal msg=\\"unauthorized\\"" >&2; exit 1',
      });
      expect(r).toMatchObject({ status: 1, calls: ['nerdctl --namespace k8s.io pull ubuntu:22.04'] });
      expect(r.stderr).toContain('unauthorized');
    });

    it('a forged reference never reaches ctr or nerdctl either', () => {
      const forged = { text: 'x; reboot', path: 'x', normalized: 'x; reboot' };
      // @ts-expect-error an object without the brand
      expect(() => pullScript(forged, 'ctr')).toThrow(AppError);
      // @ts-expect-error an object without the brand
      expect(() => pullScript(forged, 'nerdctl')).toThrow(AppError);
    });
  },

  'detect-runtime'() {
    const EKS = ['nerdctl', 'ctr'] as const;
    // Absent means absent: the script adds these directories to PATH, so this machine must not have them there.
    it('this machine has neither nerdctl nor ctr where the script looks (the tests below rely on it)', () => {
      expect(isOnSearchPath('nerdctl') || isOnSearchPath('ctr')).toBe(false);
    });

    it('EKS: only ctr, its containerd answering: ctr, asked once for its version, nothing else run', () => {
      const r = runInBash(detectRuntimeScript(EKS), { ctr: 'echo "Server: v1.7.11"' });
      expect(r.status).toBe(0);
      expect(r.calls).toEqual(['ctr --namespace k8s.io version']);
      expect(parseDetectedRuntime(r.stdout)).toEqual({ runtime: 'ctr', notes: ['nerdctl: not installed'] });
    });

    it('nerdctl comes first when both are there', () => {
      const r = runInBash(detectRuntimeScript(EKS), { nerdctl: 'true', ctr: 'true' });
      expect(r.calls).toEqual(['nerdctl --namespace k8s.io version']);
      expect(parseDetectedRuntime(r.stdout).runtime).toBe('nerdctl');
    });

    it('none installed: the distinct exit code, and why for each', () => {
      const r = runInBash(detectRuntimeScript(EKS), {});
      expect(r.status).toBe(NO_RUNTIME_EXIT);
      expect(NO_RUNTIME_EXIT).not.toBe(0);
      expect(parseDetectedRuntime(r.stdout)).toEqual({ notes: ['nerdctl: not installed', 'ctr: not installed'] });
    });

    it('a CLI whose daemon does not answer does not count; tiers try docker first, then containerd', () => {
      const down = runInBash(detectRuntimeScript(EKS), { ctr: 'echo "ctr: connection refused" >&2; exit 1' });
      expect(down.status).toBe(NO_RUNTIME_EXIT);
      expect(parseDetectedRuntime(down.stdout).notes).toEqual([
        'nerdctl: not installed',
        'ctr: installed, but its daemon did not answer',
      ]);
      const tiers = runInBash(detectRuntimeScript(['docker', 'nerdctl', 'ctr']), {
        docker: 'echo "Cannot connect to the Docker daemon" >&2; exit 1',
        nerdctl: 'true',
      });
      expect(tiers.status).toBe(0);
      expect(tiers.calls).toEqual(['docker version', 'nerdctl --namespace k8s.io version']);
      expect(parseDetectedRuntime(tiers.stdout)).toEqual({
        runtime: 'nerdctl',
        notes: ['docker: installed, but its daemon did not answer'],
      });
    });

    it('refuses an order that is not a list of runtimes', () => {
      expect(() => detectRuntimeScript([])).toThrow(AppError);
      expect(() => detectRuntimeScript(['ctr', 'ctr'])).toThrow(AppError);
      // @ts-expect-error not a runtime
      expect(() => detectRuntimeScript(['podman; reboot'])).toThrow(AppError);
    });
  },

  provision() {
    const bakeId = 'bake-20250101-abcd';
    /** The provisioning script with the script at `<dir>/bin/bake.sh` (a stub that logs its call and fds). */
    const runProvision = (body: string | undefined, options: { executable?: boolean } = {}) => {
      const dir = mkdtempSync(join(tmpdir(), 'provision-'));
      const script = join(dir, 'bin', 'bake.sh');
      const stubs: Record<string, string> = body === undefined ? {} : { 'bake.sh': `${LOG_FDS(dir)}\n${body}` };
      mkdirSync(join(dir, 'bin'), { recursive: true });
      const lines = provisionScript(bakeId, script);
      if (options.executable === false) {
        writeFileSync(script, '#!/bin/bash\necho never\n');
        chmodSync(script, 0o644);
      }
      return { script, ...runLogged(lines, `provision-${bakeId}.log`, stubs, dir) };
    };

    it('runs the configured path (nothing else), logs to /run, prints the tail, passes its exit code, leaves no log', () => {
      const r = runProvision('echo "+ secret: hunter2"; echo configured; exit 0');
      expect(r.status).toBe(0);
      expect(r.calls).toEqual([`bake.sh `, `fds ${r.log} ${r.log}`]);
      expect(r.stdout).toBe('+ secret: hunter2\nconfigured\n');
      expect(readdirSync(r.dirs.run)).toEqual([]);
      expect(existsSync(r.dirs.legacy)).toBe(false);
      const failed = runProvision('echo "step 3 failed" >&2; exit 4');
      expect(failed).toMatchObject({ status: 4, stdout: 'step 3 failed\n' });
      expect(readdirSync(failed.dirs.run)).toEqual([]);
    });

    it('a script that is not there exits 127, one not executable 126, saying so; nothing runs, no log', () => {
      const missing = runProvision(undefined);
      expect(missing).toMatchObject({ status: 127, stdout: '', stderr: `${PROVISION_MISSING}\n`, calls: [] });
      expect(existsSync(missing.dirs.run)).toBe(false);
      const plain = runProvision(undefined, { executable: false });
      expect(plain).toMatchObject({ status: 126, stdout: '', stderr: `${PROVISION_NOT_EXECUTABLE}\n` });
      expect(existsSync(plain.dirs.run)).toBe(false);
    });

    it('an exit 127 of the script itself (a command it lacks) is its own failure, not a missing script', () => {
      const r = runProvision('no-such-command-here');
      expect(r.status).toBe(127);
      expect(r.stderr).not.toContain(PROVISION_MISSING);
      expect(r.stdout).toContain('no-such-command-here');
    });

    it('refuses a path that is not a plain absolute path, and an invalid bake id', () => {
      for (const path of ['bake.sh', '/opt/x.sh; reboot', "/opt/x'.sh", '/opt/../x.sh', '/opt/$(id)'])
        expect(() => provisionScript(bakeId, path)).toThrow(AppError);
      expect(() => provisionScript('../x', '/opt/x.sh')).toThrow(AppError);
      expect(provisionScript(bakeId, '/opt/x.sh')).toContain(`'/opt/x.sh' > "$log" 2>&1`);
    });
  },

  highstate() {
    const bakeId = 'bake-20250101-abcd';

    it.each([
      ['succeeds', [], 0, { succeeded: 85, changed: 3, failed: 0, total: 85, failedStates: [] }],
      [
        'fails two states',
        ['highstate-failed'],
        2,
        {
          succeeded: 83,
          failed: 2,
          failedStates: ['domino-executor-tools', 'executor-healthcheck-timer (executor-healthcheck.timer)'],
        },
      ],
    ])(
      'salt %s: its output goes to the log in /run, the script prints what the simulator’s model prints, exit code passes through',
      (_name, faults, exit, summary) => {
        const output = simulatedSaltOutput(faults);
        const r = runHighstate(bakeId, output, exit);
        expect(r.status).toBe(exit);
        expect(r.calls).toEqual([SALT_ARGV, `fds ${r.log} ${r.log}`]);
        expect(r.stdout).toBe(highstateStdout(output));
        expect(r.stdout).toBe(output); // under 20,000 bytes: all of it, no note
        expect(parseHighstateSummary(r.stdout)).toMatchObject(summary);
        expect(parseFailedStates(r.stdout)).toHaveLength(summary.failed);
        // The log is gone, and so are the logs earlier bakes left where the snapshot would copy them.
        expect(readdirSync(r.dirs.run)).toEqual([]);
        expect(existsSync(r.dirs.legacy)).toBe(false);
      },
    );

    it('a log over 20,000 bytes: a note, then only its last 20,000 bytes, as the model prints; no log is left', () => {
      // 50,000 chars of state output (with a secret in a diff), then the summary; salt fails.
      const output = `+    db_password: hunter2\n${Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(49, '0')}\n`).join('')}Summary for local\n------------\nSucceeded: 85 (changed=3)\nFailed:    2\n`;
      const r = runHighstate(bakeId, output, 2);
      expect(r.status).toBe(2);
      expect(r.stdout).toMatch(/^\[ami-bot\] last 20000 of 50\d{3} bytes \(the full log is not kept/);
      expect(r.stdout).toBe(highstateStdout(output));
      expect(r.stdout).not.toContain('hunter2');
      expect(r.stdout.endsWith('Failed:    2\n')).toBe(true);
      expect(r.stdout.length).toBeLessThan(24_000);
      expect(parseHighstateSummary(r.stdout)).toMatchObject({ succeeded: 85, changed: 3, failed: 2 });
      // Nothing of salt's output is left on disk: not the new log, not the old ones.
      expect(existsSync(r.log)).toBe(false);
      expect(readdirSync(r.dirs.run)).toEqual([]);
      expect(existsSync(r.dirs.legacy)).toBe(false);
    });
  },
};

describe('every script the bot sends, in a real /bin/bash with stub programs', () => {
  for (const [kind, tests] of Object.entries(REAL_BASH)) describe(kind, tests);
});
