/** The few files a script writes on an instance (salt's log, say), kept so later commands can read them. */
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

/** Scripts run from SSM's orchestration directory; relative paths land under it. */
export function resolvePath(path: string, cwd = '/var/lib/amazon/ssm'): string {
  const absolute = path.startsWith('/') ? path : `${cwd}/${path}`;
  const parts: string[] = [];
  for (const part of absolute.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

export function parentDir(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/** Undefined when written, else bash's reason ("No such file or directory", "Is a directory"). */
export function writeFile(fs: SimFilesystem, path: string, text: string, append: boolean): string | undefined {
  if (path === '/dev/null') return undefined;
  const full = resolvePath(path);
  if (fs.dirs.has(full)) return 'Is a directory';
  if (!fs.dirs.has(parentDir(full)) && !full.startsWith('/var/lib/amazon/ssm')) return 'No such file or directory';
  fs.files.set(full, (append ? (fs.files.get(full) ?? '') : '') + text);
  return undefined;
}

export function readFile(fs: SimFilesystem, path: string): string | undefined {
  if (path === '/dev/null') return '';
  return fs.files.get(resolvePath(path));
}

/** `mkdir [-p] dir…`; returns error lines like coreutils' mkdir. */
export function makeDirs(fs: SimFilesystem, args: string[]): string[] {
  const parents = args.includes('-p');
  const errors: string[] = [];
  for (const arg of args.filter((a) => !a.startsWith('-'))) {
    const full = resolvePath(arg);
    if (fs.dirs.has(full)) {
      if (!parents) errors.push(`mkdir: cannot create directory '${arg}': File exists`);
      continue;
    }
    if (!parents && !fs.dirs.has(parentDir(full))) {
      errors.push(`mkdir: cannot create directory '${arg}': No such file or directory`);
      continue;
    }
    for (let dir = full; !fs.dirs.has(dir); dir = parentDir(dir)) fs.dirs.add(dir);
  }
  return errors;
}

/** `rm -rf path`: the file or directory and everything under it. */
export function removeTree(fs: SimFilesystem, path: string): void {
  const isInside = (p: string) => p === path || p.startsWith(`${path}/`);
  for (const file of [...fs.files.keys()]) if (isInside(file)) fs.files.delete(file);
  for (const dir of [...fs.dirs]) if (isInside(dir)) fs.dirs.delete(dir);
}
