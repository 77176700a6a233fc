/**
 * A path to a program on the bake template that ami-bot runs as root (the configured provisioning script). It
 * comes from the configuration, never from Slack, and is still checked strictly: absolute, made of plain path
 * characters only (no whitespace, quotes or anything a shell would read), no `.` or `..` segment, bounded length.
 */
export const MAX_SCRIPT_PATH_LENGTH = 255;

const SEGMENT = /^[A-Za-z0-9._+-]+$/;

/** Why the path is not acceptable, or undefined when it is. */
export function scriptPathProblem(path: string): string | undefined {
  if (path.length === 0) return 'it is empty';
  if (path.length > MAX_SCRIPT_PATH_LENGTH) return `it is longer than ${MAX_SCRIPT_PATH_LENGTH} characters`;
  if (!path.startsWith('/')) return 'it is not absolute (it must start with /)';
  const segments = path.slice(1).split('/');
  if (segments.some((segment) => segment === '')) return 'it has an empty segment (// or a trailing /)';
  if (segments.some((segment) => segment === '.' || segment === '..')) return 'it has a . or .. segment';
  if (segments.some((segment) => !SEGMENT.test(segment))) {
    return 'it has a character other than letters, digits and . _ + - (no spaces or shell characters)';
  }
  return undefined;
}

export function isValidScriptPath(path: string): boolean {
  return scriptPathProblem(path) === undefined;
}
