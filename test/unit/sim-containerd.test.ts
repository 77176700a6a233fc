import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../../src/bake/image-reference.js';
import {
  detectRuntimeScript,
  inventoryScript,
  NO_RUNTIME_EXIT,
  PROVISION_MISSING,
  parseCtrImages,
  parseDetectedRuntime,
  parseDockerImages,
  provisionLogPath,
  provisionScript,
  pruneScript,
  pullScript,
} from '../../src/bake/ssm-scripts.js';
import type { ContainerRuntime } from '../../src/config.js';
import type { CommandInvocation } from '../../src/ports/ssm.js';
import { createManualClock, createSimulator } from '../../src/sim/index.js';

/**
 * The simulator's models of the containerd scripts, read back by the bot's own parsers: what the e2e bakes rely on.
 * The template runs, its agent online; `runtimes` says what it has.
 */
async function template(runtimes?: ContainerRuntime[]) {
  const clock = createManualClock(new Date('2026-09-01T09:00:00Z'));
  const sim = createSimulator({ clock, write: () => {} });
  const [tpl] = await sim.ec2.findInstancesByNamePattern('*executor-template*');
  const instance = sim.world.instances.get(tpl!.id)!;
  if (runtimes) instance.runtimes = runtimes;
  await sim.ec2.startInstance(instance.id);
  await clock.advance(90_000);
  const run = async (commands: string[]): Promise<CommandInvocation> => {
    const id = await sim.ssm.sendShellCommand({
      instanceId: instance.id,
      commands,
      comment: 'test',
      executionTimeoutSeconds: 3_600,
    });
    for (let i = 0; i < 2_000; i++) {
      const invocation = await sim.ssm.getInvocation(id, instance.id);
      if (invocation.isFinished) return invocation;
      await clock.advance(5_000);
    }
    throw new Error('command never finished');
  };
  return { sim, instance, run };
}

const SPARK = parseImageReference('quay.io/domino/spark:3.3.0');
const HUB = parseImageReference('ubuntu:22.04');

describe('simulated containerd on a node template', () => {
  it('ctr pulls into containerd’s store under the canonical name; its table reads back as the bot expects', async () => {
    const { run, instance } = await template(['ctr']);
    expect(parseCtrImages((await run(inventoryScript('ctr'))).stdout)).toEqual([]);
    for (const ref of [SPARK, HUB]) expect((await run(pullScript(ref, 'ctr'))).status).toBe('Success');
    const listed = parseCtrImages((await run(inventoryScript('ctr'))).stdout);
    expect(listed).toEqual(expect.arrayContaining([SPARK.normalized, HUB.normalized]));
    expect(listed.some((ref) => ref.includes('/sha256:'))).toBe(false);
    expect([...(instance.containerdImages?.keys() ?? [])].sort()).toEqual(
      ['docker.io/library/ubuntu:22.04', 'quay.io/domino/spark:3.3.0'].sort(),
    );
    expect(instance.dockerImages.has('ubuntu:22.04')).toBe(false);
  });

  it('ctr fails a pull that would fill the root volume (its docker images count too), storing nothing', async () => {
    const { run, instance } = await template(['ctr']);
    instance.rootVolumeGiB = 12;
    const pull = await run(pullScript(SPARK, 'ctr'));
    expect(pull.status).toBe('Failed');
    expect(pull.stderr).toMatch(
      /failed to extract layer sha256:[0-9a-f]+: write \/var\/lib\/containerd: no space left on device/,
    );
    expect(instance.containerdImages?.size ?? 0).toBe(0);
  });

  it('nerdctl shares that store and lists it in docker’s format', async () => {
    const { run } = await template(['nerdctl', 'ctr']);
    expect((await run(pullScript(SPARK, 'nerdctl'))).status).toBe('Success');
    expect(parseDockerImages((await run(inventoryScript('nerdctl'))).stdout)).toContain(SPARK.normalized);
    expect(parseCtrImages((await run(inventoryScript('ctr'))).stdout)).toContain(SPARK.normalized);
  });

  it('a CLI the host lacks is "command not found" (127), docker on a containerd-only node too', async () => {
    const { run } = await template(['ctr']);
    for (const commands of [inventoryScript('nerdctl'), pullScript(SPARK), pruneScript()]) {
      const invocation = await run(commands);
      expect(invocation).toMatchObject({ status: 'Failed', exitCode: 127 });
      expect(invocation.stderr).toContain('command not found');
    }
  });

  it('detection: the first runtime of the order the host has, else exit 3 naming each; an executor template has docker', async () => {
    const eks = await template(['ctr']);
    expect(parseDetectedRuntime((await eks.run(detectRuntimeScript(['nerdctl', 'ctr']))).stdout).runtime).toBe('ctr');
    const bare = await template([]);
    const none = await bare.run(detectRuntimeScript(['nerdctl', 'ctr']));
    expect(none.exitCode).toBe(NO_RUNTIME_EXIT);
    expect(parseDetectedRuntime(none.stdout)).toEqual({ notes: ['nerdctl: not installed', 'ctr: not installed'] });
    const executor = await template();
    const found = await executor.run(detectRuntimeScript(['docker', 'nerdctl', 'ctr']));
    expect(parseDetectedRuntime(found.stdout).runtime).toBe('docker');
  });

  it('provisioning: the script runs when it is on the disk (its log gone after), exit 127 saying so when not', async () => {
    const { run, instance } = await template(['ctr']);
    const bakeId = 'bake-20260901-abcd';
    const missing = await run(provisionScript(bakeId, '/opt/bake.sh'));
    expect(missing).toMatchObject({ status: 'Failed', exitCode: 127 });
    expect(missing.stderr).toBe(`${PROVISION_MISSING}\n`);
    instance.fs.files.set('/opt/bake.sh', '#!/bin/bash\n');
    const ran = await run(provisionScript(bakeId, '/opt/bake.sh'));
    expect(ran).toMatchObject({ status: 'Success', exitCode: 0 });
    expect(ran.stdout).toContain('/opt/bake.sh');
    expect(instance.fs.files.has(provisionLogPath(bakeId))).toBe(false);
  });
});
