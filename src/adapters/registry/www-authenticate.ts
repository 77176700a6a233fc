/** A registry's `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. */
export interface AuthChallenge {
  scheme: 'bearer' | 'basic';
  params: Record<string, string>;
}

/**
 * Parses the first challenge of a `WWW-Authenticate` header (registries send one). Parameter values may be quoted
 * (with `\"` escapes) or bare tokens; names are case-insensitive. Undefined for a header it cannot read.
 */
export function parseChallenge(header: string | null): AuthChallenge | undefined {
  if (!header) return undefined;
  const match = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  if (scheme !== 'bearer' && scheme !== 'basic') return undefined;
  const params: Record<string, string> = {};
  const pattern = /([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))\s*,?\s*/gy;
  const rest = match[2] ?? '';
  let found: RegExpExecArray | null;
  // biome-ignore lint/suspicious/noAssignInExpressions: the sticky regex walks the parameter list.
  while ((found = pattern.exec(rest)) !== null) {
    params[found[1]!.toLowerCase()] = found[2] !== undefined ? found[2].replace(/\\(.)/g, '$1') : found[3]!;
  }
  return { scheme, params };
}
