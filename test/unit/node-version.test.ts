// One Node version everywhere: .node-version is what CI installs (scripts/setup-node.sh, from the npm registry),
// what the Docker image runs, what `engines` demands (with engine-strict, `npm ci` on an older Node is refused)
// and what @types/node describes. And the setup script keeps its promises without the network: an installed
// Node is reused without asking npm, a wrong or broken one is never put on PATH, a bad pin is refused clearly.
import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFile(join(ROOT, file), 'utf8');
const execFileP = promisify(execFile);

const pinned = (await read('.node-version')).trim();
const pinnedMajor = Number(pinned.split('.')[0]);
const platform = `${process.platform === 'darwin' ? 'darwin' : 'linux'}-${process.arch === 'arm64' ? 'arm64' : 'x64'}`;

describe('the pinned Node version', () => {
  it('is one exact version of an LTS (even-numbered) line newer than 20', () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pinnedMajor % 2).toBe(0);
    expect(pinnedMajor).toBeGreaterThan(20);
  });

  it('is the base image of every Docker stage', async () => {
    const froms = [...(await read('Dockerfile')).matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const image of froms) expect(image).toMatch(new RegExp(`^node:${pinned.replaceAll('.', '\\.')}-[a-z]+-slim$`));
  });

  it('satisfies engines, which admits no older major line, and npm enforces it', async () => {
    const pkg = JSON.parse(await read('package.json'));
    const floor = /^>=(\d+)\.(\d+)$/.exec(pkg.engines.node);
    expect(floor, `engines.node is ">=MAJOR.MINOR", not ${pkg.engines.node}`).not.toBeNull();
    const [major, minor] = [Number(floor?.[1]), Number(floor?.[2])];
    expect(major).toBe(pinnedMajor);
    expect(Number(pinned.split('.')[1])).toBeGreaterThanOrEqual(minor);
    expect(Number(pkg.devDependencies['@types/node'].split('.')[0])).toBe(pinnedMajor);
    expect(await read('.npmrc')).toMatch(/^engine-strict=true$/m);
  });

  it('is installed and put first on PATH by .ci/run before npm ci', async () => {
    const run = await read('.ci/run');
    const setup = run.indexOf('PATH="$(scripts/setup-node.sh):$PATH"');
    expect(setup).toBeGreaterThan(0);
    expect(run.indexOf('npm ci')).toBeGreaterThan(setup);
  });
});

describe('scripts/setup-node.sh', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  /** A copy of the script in a scratch project, with an `npm` on PATH that only records that it was asked. */
  async function scratch(version: string) {
    const root = await mkdtemp(join(tmpdir(), 'setup-node-'));
    dirs.push(root);
    await mkdir(join(root, 'scripts'));
    await cp(join(ROOT, 'scripts/setup-node.sh'), join(root, 'scripts/setup-node.sh'));
    await writeFile(join(root, '.node-version'), `${version}\n`);
    const stubs = join(root, 'stubs');
    await mkdir(stubs);
    await writeFile(join(stubs, 'npm'), `#!/bin/sh\necho "$*" >> "${root}/npm-calls"\nexit 1\n`);
    await chmod(join(stubs, 'npm'), 0o755);
    const bin = join(root, '.cache/node', `${version}-${platform}`, 'bin');
    const installNode = async (prints: string) => {
      await mkdir(bin, { recursive: true });
      await writeFile(join(bin, 'node'), `#!/bin/sh\necho ${prints}\n`);
      await chmod(join(bin, 'node'), 0o755);
    };
    const run = () =>
      execFileP('bash', [join(root, 'scripts/setup-node.sh')], {
        env: { PATH: `${stubs}:${process.env.PATH}` },
      }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (err: { code: number; stdout: string; stderr: string }) => err,
      );
    const npmCalls = () => readFile(join(root, 'npm-calls'), 'utf8').catch(() => '');
    return { bin, installNode, run, npmCalls };
  }

  it('reuses an installed Node of the pinned version without asking npm, and prints its bin directory', async () => {
    const project = await scratch('24.22.3');
    await project.installNode('v24.22.3');
    const first = await project.run();
    const second = await project.run();
    expect(first).toMatchObject({ code: 0, stdout: `${project.bin}\n`, stderr: '' });
    expect(second).toMatchObject({ code: 0, stdout: `${project.bin}\n`, stderr: '' });
    expect(await project.npmCalls()).toBe('');
  });

  it('does not trust a Node of another version left in its place: it fetches the pinned one, or fails clearly', async () => {
    const project = await scratch('24.22.3');
    await project.installNode('v20.20.2');
    const result = await project.run();
    expect(await project.npmCalls()).toMatch(`pack --silent --no-audit --no-fund node-${platform}@24.22.3`);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`setup-node: npm could not fetch node-${platform}@24.22.3`);
    expect(await readdir(join(project.bin, '..', '..'))).toEqual([`24.22.3-${platform}`]);
  });

  it('refuses a pin that is not one exact version, naming it', async () => {
    const project = await scratch('lts/*');
    const result = await project.run();
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toContain("setup-node: .node-version must hold one exact version like 24.22.3, not 'lts/*'");
    expect(await project.npmCalls()).toBe('');
  });
});
