import { type CachedImage, layersOnDisk, toCachedImage } from './disk-cache.js';
import { isValidDockerRef, normaliseRef } from './docker-registry.js';
import type { ProgramHandler, StepResult } from './ssm-script.js';

/** `docker images` / `docker image ls` and `docker pull`, with the docker CLI's output and exit codes. */
export const dockerHandler: ProgramHandler = (argv, ctx) => {
  if (argv[0] !== 'docker') return undefined;
  const [, sub, ...rest] = argv;
  if (sub === 'images' || (sub === 'image' && (rest[0] === 'ls' || rest[0] === 'list'))) {
    const args = sub === 'image' ? rest.slice(1) : rest;
    const images = [...ctx.instance.dockerImages.values()].sort(
      (a, b) => b.createdAt.getTime() - a.createdAt.getTime(),
    );
    return { ...listImages(images, args, ctx.atMs), durationMs: ctx.world.draw(ctx.world.timings.dockerImages) };
  }
  if (sub === 'pull') return pull(rest, ctx);
  return undefined;
};

function listImages(images: CachedImage[], args: string[], nowMs: number): Omit<StepResult, 'durationMs'> {
  let format: string | undefined;
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--format') format = args[++i];
    else if (arg.startsWith('--format=')) format = arg.slice('--format='.length);
    else flags.add(arg);
  }
  const quiet = flags.has('-q') || flags.has('--quiet');
  const noTrunc = flags.has('--no-trunc');
  const fields = (image: CachedImage): Record<string, string> => {
    const { repository, tag } = normaliseRef(image.ref);
    return {
      Repository: repository,
      Tag: tag,
      Digest: image.digest,
      ID: noTrunc ? image.imageId : image.imageId.slice(7, 19),
      CreatedSince: since(image.createdAt.getTime(), nowMs),
      CreatedAt: `${image.createdAt.toISOString().replace('T', ' ').slice(0, 19)} +0000 UTC`,
      Size: humanSize(image.sizeBytes),
    };
  };
  if (quiet) return ok(images.map((i) => `${fields(i).ID}\n`).join(''));
  if (format !== undefined) {
    const template = format.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
    const isTable = template.startsWith('table ');
    const body = isTable ? template.slice(6) : template;
    const render = (values: Record<string, string>) =>
      body.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_m, name: string) => values[name] ?? `<no value>`);
    const header = isTable ? `${render(HEADERS)}\n` : '';
    return ok(header + images.map((i) => `${render(fields(i))}\n`).join(''));
  }
  const columns = ['Repository', 'Tag', ...(flags.has('--digests') ? ['Digest'] : []), 'ID', 'CreatedSince', 'Size'];
  const rows = [
    columns.map((c) => HEADERS[c] as string),
    ...images.map((i) => columns.map((c) => fields(i)[c] as string)),
  ];
  const widths = columns.map((_c, k) => Math.max(...rows.map((r) => (r[k] as string).length)));
  return ok(
    rows
      .map(
        (r) =>
          `${r
            .map((cell, k) => cell.padEnd((widths[k] as number) + 3))
            .join('')
            .trimEnd()}\n`,
      )
      .join(''),
  );
}

const HEADERS: Record<string, string> = {
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  ID: 'IMAGE ID',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
};

function pull(args: string[], ctx: Parameters<ProgramHandler>[1]): StepResult {
  const quiet = args.includes('-q') || args.includes('--quiet');
  const refs = args.filter((a) => !a.startsWith('-'));
  const { world, instance } = ctx;
  if (refs.length !== 1) return fail(1, '"docker pull" requires exactly 1 argument.\n', 50);
  const raw = refs[0] as string;
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
    const out = quiet ? `${image.ref}\n` : head + tail('Image is up to date');
    return { durationMs: world.draw(world.timings.pullUpToDate), stdout: out, stderr: '', exitCode: 0 };
  }
  const present = layersOnDisk(instance.dockerImages);
  const missing = image.layers.filter((l) => !present.has(l.id));
  const missingBytes = missing.reduce((sum, l) => sum + l.bytes, 0);
  const short = (id: string) => id.slice(0, 12);
  const lines = [
    ...image.layers.map((l) => `${short(l.id)}: ${present.has(l.id) ? 'Already exists' : 'Pulling fs layer'}`),
    ...missing.slice(3).map((l) => `${short(l.id)}: Waiting`),
    ...missing.flatMap((l) => [`${short(l.id)}: Verifying Checksum`, `${short(l.id)}: Download complete`]),
    ...missing.map((l) => `${short(l.id)}: Pull complete`),
  ];
  return {
    durationMs:
      world.draw(world.timings.pullBase) + Math.round((1000 * missingBytes) / world.timings.pullBytesPerSecond),
    stdout: quiet ? `${image.ref}\n` : `${head}${lines.join('\n')}\n${tail('Downloaded newer image')}`,
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

function ok(stdout: string): Omit<StepResult, 'durationMs'> {
  return { stdout, stderr: '', exitCode: 0 };
}

function fail(exitCode: number, stderr: string, durationMs: number): StepResult {
  return { durationMs, stdout: '', stderr, exitCode };
}

/** Docker's human sizes are decimal with 3 significant digits: 4.21GB, 845MB. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(3))}${units[unit]}`;
}

/** go-units HumanDuration, which `docker images` prints in CREATED. */
function since(thenMs: number, nowMs: number): string {
  return `${humanDuration(Math.max(0, Math.floor((nowMs - thenMs) / 1000)))} ago`;
}

function humanDuration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const hours = Math.round(seconds / 3600);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}
