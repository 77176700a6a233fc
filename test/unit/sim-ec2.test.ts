import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { toCachedImage } from '../../src/sim/disk-cache.js';
import { createManualClock, createSimulator } from '../../src/sim/index.js';

function setup(faults: string[] = []) {
  const clock = createManualClock(new Date('2026-09-01T09:00:00Z'));
  const sim = createSimulator({ clock, faults, write: () => {} });
  return { sim, ...sim, clock };
}

async function template(sim: ReturnType<typeof setup>['sim']) {
  const [found] = await sim.ec2.findInstancesByNamePattern('*executor-template*');
  if (!found) throw new Error('no template');
  return found;
}

async function errorOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('simulated EC2', () => {
  it('finds the stopped template by Name glob and by tags, never a terminated instance', async () => {
    const { sim, ec2, clock } = setup();
    const tpl = await template(sim);
    expect(tpl).toMatchObject({
      name: 'acme-executor-template',
      state: 'stopped',
      blockDeviceNames: ['/dev/xvda', '/dev/xvdb'],
    });
    expect(await ec2.findInstancesByNamePattern('acme-executor-templat?')).toHaveLength(1);
    expect(await ec2.findInstancesByNamePattern('executor-template')).toHaveLength(0);
    const executors = await ec2.findInstancesByTags({ 'domino-executor-group': '*', 'domino-deployment': 'acme' });
    expect(executors.length).toBeGreaterThanOrEqual(7);
    const [large] = await ec2.findInstancesByTags({ 'domino-executor-group': 'large' });
    await ec2.terminateInstances([large!.id]);
    expect((await ec2.describeInstance(large!.id))?.state).toBe('shutting-down');
    await clock.advance(60_000);
    expect((await ec2.describeInstance(large!.id))?.state).toBe('terminated');
    expect((await ec2.findInstancesByTags({ 'domino-executor-group': 'large' })).map((i) => i.id)).not.toContain(
      large!.id,
    );
  });

  it('starts: stopped → pending (30–60 s) → running, with the SSM agent online a little later', async () => {
    const { sim, ec2, ssm, clock } = setup();
    const tpl = await template(sim);
    await ec2.startInstance(tpl.id);
    expect((await ec2.describeInstance(tpl.id))?.state).toBe('pending');
    await clock.advance(29_000);
    expect((await ec2.describeInstance(tpl.id))?.state).toBe('pending');
    await clock.advance(31_000);
    expect((await ec2.describeInstance(tpl.id))?.state).toBe('running');
    await clock.advance(25_000);
    expect(await ssm.isAgentOnline(tpl.id)).toBe(true);
    await ec2.startInstance(tpl.id); // like StartInstances: a no-op on a running instance
  });

  it('stops: running → stopping (≈30 s) → stopped, and refuses to start a stopping instance like AWS', async () => {
    const { sim, ec2, clock } = setup();
    const tpl = await template(sim);
    await ec2.startInstance(tpl.id);
    await clock.advance(90_000);
    await ec2.stopInstance(tpl.id);
    expect((await ec2.describeInstance(tpl.id))?.state).toBe('stopping');
    const error = await errorOf(ec2.startInstance(tpl.id));
    expect(isAppError(error) && error.code).toBe('aws_IncorrectInstanceState');
    expect((error as Error).message).toContain(`start instance ${tpl.id}`);
    await clock.advance(40_000);
    expect((await ec2.describeInstance(tpl.id))?.state).toBe('stopped');
  });

  it('reports an unknown instance with the real adapter’s code and message', async () => {
    const { ec2 } = setup();
    const error = await errorOf(ec2.startInstance('i-0123456789abcdef0'));
    expect(isAppError(error) && error.code).toBe('aws_InvalidInstanceID.NotFound');
    expect((error as Error).message).toMatch(/^AWS could not find what was asked for while trying to start instance/);
    expect(await ec2.describeInstance('i-0123456789abcdef0')).toBeUndefined();
  });

  it('CreateImage: pending with snapshot progress, then available, tagged, capturing the docker cache', async () => {
    const { sim, ec2, ssm, clock, world } = setup();
    const tpl = await template(sim);
    await ec2.startInstance(tpl.id);
    await clock.advance(90_000);
    const id = await ec2.createImage({
      instanceId: tpl.id,
      name: 'domino-acme-executor-20260901-0901',
      description: 'test',
      noReboot: false,
      deviceNames: tpl.blockDeviceNames,
      tags: { 'created-by': 'ami-bot', 'bake-id': 'bk-1' },
    });
    const [pending] = await ec2.describeImages([id]);
    expect(pending).toMatchObject({ state: 'pending', tags: { 'bake-id': 'bk-1' } });
    expect(pending!.snapshotIds).toHaveLength(2);
    for (const s of pending!.snapshotIds) expect(world.snapshots.get(s)?.tags['bake-id']).toBe('bk-1');
    // Without NoReboot the instance reboots: still running for EC2, but SSM is away for a minute.
    expect((await ec2.describeInstance(tpl.id))?.state).toBe('running');
    expect(await ssm.isAgentOnline(tpl.id)).toBe(false);
    await clock.advance(4 * 60_000);
    expect(await ssm.isAgentOnline(tpl.id)).toBe(true);
    const progress = await ec2.snapshotProgress(pending!.snapshotIds);
    expect(progress).toBeGreaterThan(0);
    expect(progress).toBeLessThan(100);
    expect((await ec2.describeImages([id]))[0]?.state).toBe('pending');
    await clock.advance(15 * 60_000);
    expect((await ec2.describeImages([id]))[0]?.state).toBe('available');
    expect(await ec2.snapshotProgress(pending!.snapshotIds)).toBe(100);
    expect([...(world.images.get(id)?.dockerImages.keys() ?? [])]).toEqual([
      'quay.io/domino/base:DED_py3.6_R3.4_23052018',
    ]);
    expect((await ec2.findImagesByName('domino-acme-executor-20260901-0901')).map((i) => i.id)).toEqual([id]);
    expect((await ec2.findImagesByTag('bake-id', 'bk-1')).map((i) => i.id)).toEqual([id]);

    const duplicate = await errorOf(
      ec2.createImage({
        instanceId: tpl.id,
        name: 'domino-acme-executor-20260901-0901',
        description: '',
        noReboot: true,
        deviceNames: [],
        tags: {},
      }),
    );
    expect(isAppError(duplicate) && duplicate.code).toBe('ami_name_taken');

    await ec2.deregisterImage(id);
    expect(await ec2.describeImages([id])).toEqual([]);
    expect(world.snapshots.has(pending!.snapshotIds[0]!)).toBe(false);
    await ec2.deregisterImage(id); // unknown: not an error
  });

  it('protection with a cooldown: disabled, the image stays protected 24 hours, then can go', async () => {
    const { ec2, clock, world } = setup();
    const [image] = await ec2.listImagesByTags({ 'created-by': 'ami-bot' });
    if (!image) throw new Error('the demo world has no baked image');
    await ec2.enableDeregistrationProtection(image.id, { withCooldown: true });
    await ec2.disableDeregistrationProtection(image.id);
    const cooling = (await ec2.listImagesByTags({ 'bake-id': image.tags['bake-id']! }))[0];
    expect(cooling?.protection).toEqual({ state: 'cooling-down', until: new Date(clock.now().getTime() + 86_400_000) });
    await clock.advance(86_400_000 - 60_000);
    await expect(ec2.deregisterImage(image.id)).rejects.toMatchObject({ code: 'aws_InvalidParameterValue' });
    await clock.advance(60_000);
    expect(await ec2.deregisterImage(image.id)).toMatchObject({ image: 'deregistered' });
    for (const id of image.snapshotIds) expect(world.snapshots.has(id)).toBe(false);
  });

  it('takes longer to snapshot a bigger docker cache', async () => {
    const { sim, ec2, clock, world } = setup();
    const tpl = await template(sim);
    const instance = world.instances.get(tpl.id)!;
    for (const ref of ['a.example/x:1', 'a.example/y:1', 'a.example/z:1']) {
      const image = world.registry.define(ref, 4e9);
      instance.dockerImages.set(image.ref, toCachedImage(image));
    }
    const id = await ec2.createImage({
      instanceId: tpl.id,
      name: 'big-cache',
      description: '',
      noReboot: true,
      deviceNames: [],
      tags: {},
    });
    await clock.advance(12 * 60_000);
    expect((await ec2.describeImages([id]))[0]?.state).toBe('pending');
    await clock.advance(10 * 60_000);
    expect((await ec2.describeImages([id]))[0]?.state).toBe('available');
  });

  it('image-failed: the image ends failed with a state reason', async () => {
    const { sim, ec2, clock } = setup(['image-failed']);
    const tpl = await template(sim);
    const id = await ec2.createImage({
      instanceId: tpl.id,
      name: 'doomed',
      description: '',
      noReboot: true,
      deviceNames: [],
      tags: {},
    });
    await clock.advance(30 * 60_000);
    const [image] = await ec2.describeImages([id]);
    expect(image?.state).toBe('failed');
    expect(image?.stateReason).toMatch(/InternalError/);
  });
});
