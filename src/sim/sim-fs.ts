/** The few files the bot's scripts touch on an instance (salt's log, old logs), kept on disk and in AMIs. */
export interface SimFilesystem {
  files: Map<string, string>;
  dirs: Set<string>;
}

const STANDARD_DIRS = [
  '/',
  '/etc',
  '/opt',
  '/root',
  '/srv',
  '/tmp',
  '/usr',
  '/var',
  '/var/lib',
  '/var/log',
  '/var/tmp',
];

export function createFilesystem(): SimFilesystem {
  return { files: new Map(), dirs: new Set(STANDARD_DIRS) };
}

export function copyFilesystem(fs: SimFilesystem): SimFilesystem {
  return { files: new Map(fs.files), dirs: new Set(fs.dirs) };
}

function parentDir(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/** `mkdir -p dir` for an absolute, normalised path. */
export function makeDirs(fs: SimFilesystem, dir: string): void {
  for (let d = dir; !fs.dirs.has(d); d = parentDir(d)) fs.dirs.add(d);
}

/** `rm -rf path`: the file or directory and everything under it. */
export function removeTree(fs: SimFilesystem, path: string): void {
  const isInside = (p: string) => p === path || p.startsWith(`${path}/`);
  for (const file of [...fs.files.keys()]) if (isInside(file)) fs.files.delete(file);
  for (const dir of [...fs.dirs]) if (isInside(dir)) fs.dirs.delete(dir);
}
