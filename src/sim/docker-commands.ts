import { isDiskFull, layersOnDisk, toCachedImage } from './disk-cache.js';
import { isValidDockerRef, normaliseRef } from './docker-registry.js';
import type { ProgramContext, ProgramRun } from './host-program.js';

/**
 * The two docker CLI calls the bot's scripts make, with Docker's output and exit codes:
 * `docker images --format '{{.Repository}}:{{.Tag}}@{{.Digest}}'` and `docker pull <ref>`.
 */

/** The image cache, newest first, one `repository:tag@digest` line each (the inventory script's format). */
export function dockerImages(ctx: ProgramContext): ProgramRun {
  const images = [...ctx.instance.dockerImages.values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const lines = images.map((image) => {
    const { repository, tag } = normaliseRef(image.ref);
    return `${repository}:${tag}@${image.digest}\n`;
  });
  return {
    durationMs: ctx.world.draw(ctx.world.timings.dockerImages),
    stdout: lines.join(''),
    stderr: '',
    exitCode: 0,
  };
}

/**
 * `docker image prune --force`: the simulated cache keeps one image per reference (a pull replaces it), so no
 * layer is ever dangling here and Docker's answer is the empty one.
 */
export function dockerImagePrune(ctx: ProgramContext): ProgramRun {
  return {
    durationMs: ctx.world.draw(ctx.world.timings.dockerImages),
    stdout: 'Total reclaimed space: 0B\n',
    stderr: '',
    exitCode: 0,
  };
}

/** `docker pull <raw>`: Docker's progress output, its registry errors, and the layers it needs on the clock. */
export function dockerPull(raw: string, ctx: ProgramContext): ProgramRun {
  const { world, instance } = ctx;
  if (!isValidDockerRef(raw)) return fail(1, 'invalid reference format\n', 50);
  const image = world.registry.resolve(raw);
  const faults = ctx.faults;
  if (faults.isOn('pull-failed')) {
    return fail(
      1,
      `Error response from daemon: manifest for ${image.ref} not found: manifest unknown: manifest unknown\n`,
      world.draw({ min: 1500, max: 4000 }),
    );
  }
  if (faults.isOn('pull-flaky') && !world.flakyPulled.has(image.ref)) {
    world.flakyPulled.add(image.ref);
    const host = image.repository.includes('.') ? image.repository.split('/')[0] : 'registry-1.docker.io';
    return fail(
      1,
      `Error response from daemon: Get "https://${host}/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)\n`,
      world.draw({ min: 15_000, max: 30_000 }),
    );
  }
  const head = `${raw.includes(':') || raw.includes('@') ? '' : 'Using default tag: latest\n'}${image.tag}: Pulling from ${pathOf(image.repository)}\n`;
  const tail = (status: string) => `Digest: ${image.digest}\nStatus: ${status} for ${image.ref}\n${image.ref}\n`;
  if (instance.dockerImages.get(image.ref)?.digest === image.digest) {
    return {
      durationMs: world.draw(world.timings.pullUpToDate),
      stdout: head + tail('Image is up to date'),
      stderr: '',
      exitCode: 0,
    };
  }
  const present = layersOnDisk(instance.dockerImages);
  const missing = image.layers.filter((l) => !present.has(l.id));
  const missingBytes = missing.reduce((sum, l) => sum + l.bytes, 0);
  const short = (id: string) => id.slice(0, 12);
  if (isDiskFull(instance, missingBytes)) {
    const layer = missing[missing.length - 1]!;
    return fail(
      1,
      `failed to register layer: write /var/lib/docker/overlay2/${layer.id.slice(0, 25)}/diff/usr/lib/libpython3.so: no space left on device\n`,
      Math.round((1000 * missingBytes) / world.timings.pullBytesPerSecond),
    );
  }
  const lines = [
    ...image.layers.map((l) => `${short(l.id)}: ${present.has(l.id) ? 'Already exists' : 'Pulling fs layer'}`),
    ...missing.slice(3).map((l) => `${short(l.id)}: Waiting`),
    ...missing.flatMap((l) => [`${short(l.id)}: Verifying Checksum`, `${short(l.id)}: Download complete`]),
    ...missing.map((l) => `${short(l.id)}: Pull complete`),
  ];
  return {
    durationMs:
      world.draw(world.timings.pullBase) + Math.round((1000 * missingBytes) / world.timings.pullBytesPerSecond),
    stdout: `${head}${lines.join('\n')}\n${tail('Downloaded newer image')}`,
    stderr: '',
    exitCode: 0,
    onDone: () => instance.dockerImages.set(image.ref, toCachedImage(image)),
  };
}

/** `quay.io/domino/base` → `domino/base`; Docker Hub's `ubuntu` → `library/ubuntu`. */
function pathOf(repository: string): string {
  const parts = repository.split('/');
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0] as string)) return parts.slice(1).join('/');
  return parts.length === 1 ? `library/${repository}` : repository;
}

function fail(exitCode: number, stderr: string, durationMs: number): ProgramRun {
  return { durationMs, stdout: '', stderr, exitCode };
}
