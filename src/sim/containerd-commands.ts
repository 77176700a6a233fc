import { validateImageReference } from '../bake/image-reference.js';
import type { ContainerdCli } from '../bake/script-spec.js';
import type { ContainerRuntime } from '../config.js';
import { type CachedImage, isDiskFull, toCachedImage } from './disk-cache.js';
import { isValidDockerRef, normaliseRef } from './docker-registry.js';
import type { ProgramContext, ProgramRun } from './host-program.js';
import type { SimInstance } from './sim-world.js';

/**
 * The containerd CLIs the bot's scripts call on an EKS node template, on containerd's k8s.io namespace (the one
 * store both share): `nerdctl images --format …`, `ctr images ls`, `nerdctl pull`, `ctr images pull`, and the
 * `version` each answers when its daemon runs. Output and exit codes as the real ones print them.
 */

/** The runtimes an instance has: an executor template (nothing said) has docker only. */
export function instanceRuntimes(instance: SimInstance): readonly ContainerRuntime[] {
  return instance.runtimes ?? ['docker'];
}

export function hasRuntime(instance: SimInstance, runtime: ContainerRuntime): boolean {
  return instanceRuntimes(instance).includes(runtime);
}

/** bash's answer for a program that is not on the host. */
export function commandNotFound(program: string): ProgramRun {
  return { durationMs: 5, stdout: '', stderr: `bash: line 2: ${program}: command not found\n`, exitCode: 127 };
}

function store(instance: SimInstance): Map<string, CachedImage> {
  instance.containerdImages ??= new Map();
  return instance.containerdImages;
}

const CTR_HEADER =
  'REF                                                          TYPE                                                 DIGEST                                                                  SIZE      PLATFORMS   LABELS\n';

/** The image list: ctr's table (REF TYPE DIGEST SIZE PLATFORMS LABELS) or nerdctl's `repository:tag@digest` lines. */
export function containerdImages(cli: ContainerdCli, ctx: ProgramContext): ProgramRun {
  const images = [...store(ctx.instance).values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const lines = images.map((image) => {
    if (cli === 'nerdctl') {
      const { repository, tag } = normaliseRef(image.ref);
      return `${repository}:${tag}@${image.digest}\n`;
    }
    const size = `${(image.sizeBytes / 1024 / 1024).toFixed(1)} MiB`;
    return `${image.ref.padEnd(60)} application/vnd.oci.image.index.v1+json ${image.digest} ${size.padEnd(9)} linux/amd64 io.cri-containerd.image=managed\n`;
  });
  // CRI names each image by its id too: `ctr images ls` lists those `sha256:…` rows, the bot must skip them.
  const idRows =
    cli === 'ctr'
      ? images.map(
          (image) =>
            `${image.imageId.padEnd(60)} application/vnd.oci.image.index.v1+json ${image.digest} 1.0 MiB   linux/amd64 io.cri-containerd.image=managed\n`,
        )
      : [];
  return {
    durationMs: ctx.world.draw(ctx.world.timings.dockerImages),
    stdout: (cli === 'ctr' ? CTR_HEADER : '') + [...lines, ...idRows].join(''),
    stderr: '',
    exitCode: 0,
  };
}

/** `nerdctl pull <ref>` / `ctr images pull <canonical ref>`: the registry's errors, the layers it needs on the clock. */
export function containerdPull(cli: ContainerdCli, raw: string, ctx: ProgramContext): ProgramRun {
  const { world, instance, faults } = ctx;
  const fatal = (message: string) =>
    cli === 'ctr' ? `ctr: ${message}\n` : `time="2026-01-01T00:00:00Z" level=fatal msg="${message}"\n`;
  const checked = validateImageReference(raw);
  if (!isValidDockerRef(raw) || !checked.ok) {
    return fail(fatal(`failed to resolve reference "${raw}": invalid reference format`), 50);
  }
  // containerd names every image in full (nerdctl too, whatever it is given): `ubuntu` is docker.io/library/ubuntu.
  const name = checked.ref.normalized;
  const image = world.registry.resolve(name);
  if (faults.isOn('pull-failed')) {
    return fail(fatal(`failed to resolve reference "${raw}": ${raw}: not found`), world.draw({ min: 1500, max: 4000 }));
  }
  if (faults.isOn('pull-flaky') && !world.flakyPulled.has(image.ref)) {
    world.flakyPulled.add(image.ref);
    const host = image.repository.includes('.') ? image.repository.split('/')[0] : 'registry-1.docker.io';
    return fail(
      fatal(
        `failed to resolve reference "${raw}": failed to do request: Head "https://${host}/v2/": dial tcp: i/o timeout`,
      ),
      world.draw({ min: 15_000, max: 30_000 }),
    );
  }
  const images = store(instance);
  const present = new Set([...images.values()].flatMap((cached) => cached.layers.map((layer) => layer.id)));
  const missing = image.layers.filter((layer) => !present.has(layer.id));
  const missingBytes = missing.reduce((sum, layer) => sum + layer.bytes, 0);
  const upToDate = images.get(name)?.digest === image.digest;
  if (!upToDate && isDiskFull(instance, missingBytes)) {
    return fail(
      fatal(
        `failed to extract layer sha256:${missing[missing.length - 1]!.id}: write /var/lib/containerd: no space left on device`,
      ),
      Math.round((1000 * missingBytes) / world.timings.pullBytesPerSecond),
    );
  }
  const durationMs = upToDate
    ? world.draw(world.timings.pullUpToDate)
    : world.draw(world.timings.pullBase) + Math.round((1000 * missingBytes) / world.timings.pullBytesPerSecond);
  const stdout = [
    `${raw}: resolved`,
    `index-${image.digest}: done`,
    ...image.layers.map((layer) => `layer-sha256:${layer.id}: ${present.has(layer.id) ? 'exists' : 'done'}`),
    `elapsed: ${(durationMs / 1000).toFixed(1)} s`,
    `unpacking linux/amd64 ${image.digest}...`,
    'done',
  ].join('\n');
  return {
    durationMs,
    stdout: `${stdout}\n`,
    stderr: '',
    exitCode: 0,
    onDone: () => images.set(name, { ...toCachedImage(image), ref: name }),
  };
}

function fail(stderr: string, durationMs: number): ProgramRun {
  return { durationMs, stdout: '', stderr, exitCode: 1 };
}
