/**
 * Applies a MongoDB-style `$set` patch of dotted paths to a plain object in memory, so the
 * runner's copy of a record stays equal to what it has just written.
 */
export function applySetPatch<T extends object>(target: T, patch: Record<string, unknown>): T {
  for (const [path, value] of Object.entries(patch)) {
    const keys = path.split('.');
    let node = target as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      if (next === undefined || next === null || typeof next !== 'object') node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1] as string] = value;
  }
  return target;
}
