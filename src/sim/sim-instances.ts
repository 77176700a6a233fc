import type { InstanceInfo, InstanceState } from '../ports/ec2.js';
import { SimAwsFault } from './aws-fault.js';
import { copyFilesystem, createFilesystem } from './sim-fs.js';
import type { SimInstance, SimWorld } from './sim-world.js';

/**
 * EC2 instance lifecycles on the world's event queue, shared by the EC2 port (template start/stop) and the
 * Domino API (executors booted or restarted for a job), so both see one consistent account.
 */

export function requireInstance(world: SimWorld, instanceId: string): SimInstance {
  const instance = world.instances.get(instanceId);
  if (instance === undefined)
    throw new SimAwsFault('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
  return instance;
}

export function incorrectState(instance: SimInstance, action: string): SimAwsFault {
  return new SimAwsFault(
    'IncorrectInstanceState',
    `The instance '${instance.id}' is not in a state from which it can be ${action}.`,
  );
}

/** Starts a lifecycle change; the returned scheduler runs follow-ups only if no later change superseded it. */
function change(world: SimWorld, instance: SimInstance, state: InstanceState) {
  instance.generation++;
  instance.state = state;
  instance.agentOnline = false;
  delete instance.rebootingUntilMs;
  const generation = instance.generation;
  return (atMs: number, then: () => void) =>
    world.schedule(atMs, () => {
      if (instance.generation === generation) then();
    });
}

export function bootInstance(world: SimWorld, instance: SimInstance, nowMs: number): void {
  const later = change(world, instance, 'pending');
  instance.launchTimeMs = nowMs;
  const runningAt = nowMs + world.draw(world.timings.instanceStart);
  later(runningAt, () => {
    instance.state = 'running';
  });
  later(runningAt + world.draw(world.timings.agentRegister), () => {
    instance.agentOnline = true;
  });
}

export function startInstanceNow(world: SimWorld, instance: SimInstance, nowMs: number): void {
  // Like StartInstances: starting a pending or running instance is a no-op, a stopping one is an error.
  if (instance.state === 'pending' || instance.state === 'running') return;
  if (instance.state !== 'stopped') throw incorrectState(instance, 'started');
  bootInstance(world, instance, nowMs);
}

export function stopInstanceNow(world: SimWorld, instance: SimInstance, nowMs: number): void {
  if (instance.state === 'stopping' || instance.state === 'stopped') return;
  if (instance.state !== 'running') throw incorrectState(instance, 'stopped');
  change(
    world,
    instance,
    'stopping',
  )(nowMs + world.draw(world.timings.instanceStop), () => {
    instance.state = 'stopped';
  });
}

export function terminateInstanceNow(world: SimWorld, instance: SimInstance, nowMs: number): void {
  if (instance.state === 'shutting-down' || instance.state === 'terminated') return;
  change(
    world,
    instance,
    'shutting-down',
  )(nowMs + world.draw(world.timings.instanceTerminate), () => {
    instance.state = 'terminated';
  });
}

/** CreateImage without NoReboot: the instance stays `running` for EC2, but its agent goes away for a minute. */
export function rebootForImage(world: SimWorld, instance: SimInstance, nowMs: number): number {
  if (instance.state !== 'running') return nowMs;
  const until = nowMs + world.draw(world.timings.createImageReboot);
  const later = change(world, instance, 'running');
  instance.rebootingUntilMs = until;
  later(until, () => {
    delete instance.rebootingUntilMs;
  });
  later(until + world.draw(world.timings.agentRegister), () => {
    instance.agentOnline = true;
  });
  return until;
}

/** RunInstances from an AMI: the new instance starts with the AMI's docker cache on its disk. */
export function launchInstance(
  world: SimWorld,
  input: { imageId: string; tags: Record<string, string>; nowMs: number },
): SimInstance {
  const image = world.images.get(input.imageId);
  const instance: SimInstance = {
    id: world.ids.instance(),
    tags: { ...input.tags },
    state: 'pending',
    imageId: input.imageId,
    blockDeviceNames: image?.blockDeviceNames.slice() ?? ['/dev/xvda'],
    launchTimeMs: input.nowMs,
    dockerImages: new Map(image?.dockerImages ?? []),
    ...(image?.containerdImages ? { containerdImages: new Map(image.containerdImages) } : {}),
    fs: image ? copyFilesystem(image.fs) : createFilesystem(),
    agentOnline: false,
    generation: 0,
    activeJobs: 0,
  };
  world.instances.set(instance.id, instance);
  bootInstance(world, instance, input.nowMs);
  return instance;
}

export function toInstanceInfo(instance: SimInstance): InstanceInfo {
  return {
    id: instance.id,
    name: instance.tags.Name ?? '',
    state: instance.state,
    imageId: instance.imageId,
    tags: { ...instance.tags },
    blockDeviceNames: instance.blockDeviceNames.slice(),
    launchTime: new Date(instance.launchTimeMs),
  };
}
