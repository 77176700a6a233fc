import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../../src/bake/image-reference.js';
import {
  HIGHSTATE_LOG_DIR,
  highstateLogPath,
  highstateScript,
  inventoryScript,
  LEGACY_HIGHSTATE_LOG_DIR,
  parseHighstateSummary,
  pullScript,
} from '../../src/bake/ssm-scripts.js';
import { isAppError } from '../../src/errors.js';
import type { CommandInvocation } from '../../src/ports/ssm.js';
import { type CannedScripts, createManualClock, createSimulator } from '../../src/sim/index.js';

const SPARK = 'quay.io/domino/spark-environment:3.3.0-py3.9-domino5.5';

/** A running template with its agent online, and a helper that runs a script to its end. */
async function setup(faults: string[] = [], cannedScripts?: CannedScripts) {
  const clock = createManualClock(new Date('2026-09-01T09:00:00Z'));
  const sim = createSimulator({ clock, faults, write: () => {}, ...(cannedScripts ? { cannedScripts } : {}) });
  const [tpl] = await sim.ec2.findInstancesByNamePattern('*executor-template*');
  const instanceId = tpl!.id;
  await sim.ec2.startInstance(instanceId);
  await clock.advance(90_000);
  const send = (commands: string[], comment = 'test', executionTimeoutSeconds = 3_600) =>
    sim.ssm.sendShellCommand({ instanceId, commands, comment, executionTimeoutSeconds });
  const finish = async (commandId: string): Promise<CommandInvocation> => {
    for (let i = 0; i < 2_000; i++) {
      const invocation = await sim.ssm.getInvocation(commandId, instanceId);
      if (invocation.isFinished) return invocation;
      await clock.advance(5_000);
    }
    throw new Error('command never finished');
  };
  const run = async (commands: string[]) => finish(await send(commands));
  return { clock, sim, instanceId, send, finish, run };
}

const seconds = (inv: CommandInvocation) => (inv.endedAt!.getTime() - inv.startedAt!.getTime()) / 1000;

describe('simulated SSM: AWS-RunShellScript on the template', () => {
  it('is Pending right after SendCommand (and for an id it never issued), with no output until the end', async () => {
    const { sim, instanceId, send, clock } = await setup();
    const id = await send(inventoryScript());
    expect(await sim.ssm.getInvocation(id, instanceId)).toMatchObject({
      status: 'Pending',
      isFinished: false,
      stdout: '',
    });
    expect((await sim.ssm.getInvocation('00000000-0000-4000-8000-000000000000', instanceId)).status).toBe('Pending');
    await clock.advance(3_000);
    expect((await sim.ssm.getInvocation(id, instanceId)).status).toBe('Success');
    expect(await sim.ssm.findCommandByComment(instanceId, 'test')).toBe(id);
  });

  it('fails a pull that would fill the root volume, as Docker does, and caches nothing', async () => {
    const { sim, instanceId, run } = await setup();
    const template = sim.world.instances.get(instanceId)!;
    const before = [...template.dockerImages.keys()];
    // The OS's 8 GiB and the images already cached leave no room for Spark's 4.4 GB on a 12 GiB volume.
    template.rootVolumeGiB = 12;
    const pull = await run([`docker pull '${SPARK}'`]);
    expect(pull.exitCode).toBe(1);
    expect(pull.stderr).toMatch(
      /^failed to register layer: write \/var\/lib\/docker\/overlay2\/.*: no space left on device/,
    );
    expect([...template.dockerImages.keys()]).toEqual(before);
    template.rootVolumeGiB = 50;
    expect((await run([`docker pull '${SPARK}'`])).exitCode).toBe(0);
  });

  it('lists cached images as repo:tag@digest, and a pull adds the image to the cache', async () => {
    const { run } = await setup();
    const before = await run(inventoryScript());
    expect(before.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^quay\.io\/domino\/base:DED_py3\.6_R3\.4_23052018@sha256:[0-9a-f]{64}$/),
    ]);

    const pull = await run([`docker pull '${SPARK}'`]);
    expect(pull.status).toBe('Success');
    expect(pull.stdout).toContain('3.3.0-py3.9-domino5.5: Pulling from domino/spark-environment');
    expect(pull.stdout).toContain('Already exists'); // shares the domino base layers
    expect(pull.stdout).toMatch(
      /Digest: sha256:[0-9a-f]{64}\nStatus: Downloaded newer image for quay\.io\/domino\/spark-environment/,
    );
    expect(seconds(pull)).toBeGreaterThan(20);
    expect(seconds(pull)).toBeLessThan(150);

    const after = await run(inventoryScript());
    expect(after.stdout).toContain(`${SPARK}@sha256:`);
    const again = await run([`docker pull '${SPARK}'`]);
    expect(again.stdout).toContain(`Status: Image is up to date for ${SPARK}`);
  });

  it('runs the bot’s highstate script: log on disk, tail on stdout, Summary block parsed', async () => {
    const { run } = await setup();
    const inv = await run(highstateScript('bk-1'));
    expect(inv).toMatchObject({ status: 'Success', exitCode: 0, stdoutTruncated: false });
    expect(seconds(inv)).toBeGreaterThanOrEqual(180);
    expect(seconds(inv)).toBeLessThanOrEqual(370);
    expect(inv.stdout).toMatch(
      /Summary for local\n-+\nSucceeded: 85 \(changed=3\)\nFailed: +0\n-+\nTotal states run: +85\n/,
    );
    expect(parseHighstateSummary(inv.stdout)).toEqual({
      succeeded: 85,
      changed: 3,
      failed: 0,
      total: 85,
      failedStates: [],
    });
  });

  it('highstate-failed: two Result: False blocks and exit code 2', async () => {
    const { run } = await setup(['highstate-failed']);
    const inv = await run(highstateScript('bk-2'));
    expect(inv).toMatchObject({ status: 'Failed', exitCode: 2 });
    expect(inv.stdout.match(/Result: False/g)).toHaveLength(2);
    expect(parseHighstateSummary(inv.stdout)).toMatchObject({
      succeeded: 83,
      failed: 2,
      failedStates: ['domino-executor-tools', 'executor-healthcheck-timer (executor-healthcheck.timer)'],
    });
  });

  it('cuts stdout at 24,000 chars like GetCommandInvocation', async () => {
    const log = (await (await setup()).run(highstateScript('bk-1'))).stdout;
    // Salt's log, then more than SSM returns: the second copy's Summary block lies beyond what SSM returns.
    const { run } = await setup([], () => ({ exitCode: 0, stdout: `${log}${'.'.repeat(24_000)}${log}` }));
    const inv = await run(['cat salt.log filler salt.log']);
    expect(inv.status).toBe('Success');
    expect(inv.stdoutTruncated).toBe(true);
    expect(inv.stdout).toHaveLength(24_000);
    expect(inv.stdout).toMatch(/^local:\n----------\n {10}ID: pkg-upgrade\n/);
    expect(inv.stdout.match(/Summary for local/g)).toHaveLength(1);
  });

  it('pull-failed: manifest unknown, exit 1; pull-flaky: fails once, then works', async () => {
    const failed = await (await setup(['pull-failed'])).run([`docker pull '${SPARK}'`]);
    expect(failed).toMatchObject({ status: 'Failed', exitCode: 1 });
    expect(failed.stderr).toMatch(/^Error response from daemon: manifest for .* not found: manifest unknown/);

    const flaky = await setup(['pull-flaky']);
    expect((await flaky.run([`docker pull '${SPARK}'`])).exitCode).toBe(1);
    expect((await flaky.run([`docker pull '${SPARK}'`])).exitCode).toBe(0);
  });

  it('a script that is not one the bot builds fails with exit 127 and runs nothing', async () => {
    const { run } = await setup();
    const inv = await run(['echo start', 'frobnicate --now']);
    expect(inv).toMatchObject({ status: 'Failed', exitCode: 127, stdout: '' });
    expect(inv.stderr).toMatch(/^ami-bot simulator: unrecognised script .*nothing was run\n$/);
    // The bot's pull with one more line is not the bot's pull: nothing is pulled.
    const edited = await run([...pullScript(parseImageReference(SPARK)), 'true']);
    expect(edited).toMatchObject({ status: 'Failed', exitCode: 127, stdout: '' });
    expect((await run(inventoryScript())).stdout).not.toContain('spark');
  });

  it('canned scripts (the port contract’s) answer only for scripts the bot does not send', async () => {
    const { run } = await setup([], () => ({ exitCode: 9, stdout: 'canned\n' }));
    expect(await run(['echo start'])).toMatchObject({ status: 'Failed', exitCode: 9, stdout: 'canned\n' });
    expect((await run(inventoryScript())).stdout).toMatch(/^quay\.io\/domino\/base:/);
  });

  it('highstate removes the logs older bakes left, and its own log: nothing of salt’s output stays on disk', async () => {
    const { run, sim, instanceId } = await setup();
    const { fs } = sim.world.instances.get(instanceId)!;
    fs.dirs.add(LEGACY_HIGHSTATE_LOG_DIR);
    fs.files.set(`${LEGACY_HIGHSTATE_LOG_DIR}/highstate-bake-20240101-aaaa.log`, '+ password: hunter2\n');
    fs.files.set('/var/log/syslog', 'kept\n');
    expect((await run(highstateScript('bk-4'))).status).toBe('Success');
    expect([...fs.files.entries()]).toEqual([['/var/log/syslog', 'kept\n']]);
    expect(fs.dirs.has(LEGACY_HIGHSTATE_LOG_DIR)).toBe(false);
    expect(fs.dirs.has(HIGHSTATE_LOG_DIR)).toBe(true);
  });

  it('a highstate cancelled midway leaves its log in /run without any of salt’s output', async () => {
    const { sim, send, instanceId, clock } = await setup();
    const id = await send(highstateScript('bk-5'));
    await clock.advance(60_000);
    await sim.ssm.cancelCommand(id, instanceId);
    await clock.advance(10 * 60_000);
    expect((await sim.ssm.getInvocation(id, instanceId)).status).toBe('Cancelled');
    const { fs } = sim.world.instances.get(instanceId)!;
    expect(fs.files.get(highstateLogPath('bk-5'))).toBe('');
  });

  it('ssm-timeout: highstate hangs until the execution timeout, then TimedOut', async () => {
    const { send, finish } = await setup(['ssm-timeout']);
    const inv = await finish(await send(highstateScript('bk-3'), 'hs', 1_800));
    expect(inv.status).toBe('TimedOut');
    expect(seconds(inv)).toBe(1_800);
  });

  it('cancelCommand: Cancelling then Cancelled, and the unfinished pull never lands', async () => {
    const { sim, send, instanceId, clock, run } = await setup();
    const id = await send([`docker pull '${SPARK}'`]);
    await clock.advance(10_000);
    await sim.ssm.cancelCommand(id, instanceId);
    await clock.advance(5_000);
    expect((await sim.ssm.getInvocation(id, instanceId)).status).toBe('Cancelled');
    await clock.advance(10 * 60_000);
    expect((await run(inventoryScript())).stdout).not.toContain('spark');
    await sim.ssm.cancelCommand('unknown-command', instanceId); // like the adapter: nothing left to cancel
  });

  it('ssm-offline: the agent never shows online and SendCommand is refused like InvalidInstanceId', async () => {
    const { sim, instanceId, send } = await setup(['ssm-offline']);
    expect(await sim.ssm.isAgentOnline(instanceId)).toBe(false);
    const error = await send(['true']).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('aws_InvalidInstanceId');
  });
});
