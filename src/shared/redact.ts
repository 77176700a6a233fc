/**
 * Secrets out of what people can read: command output shown in Slack (salt's diffs of managed files, registry
 * errors) and log lines (config, request options, errors, at any depth).
 */

export const REDACTED = '[redacted]';

/**
 * Keys whose values are secrets, by name, case-insensitive: HTTP credentials and Domino's API key header, names
 * ending in `token` (botToken, appToken, sessionToken), and names containing password, secret (signingSecret,
 * secretAccessKey), api key, private key, credential or session id. `key` or `keyCount` alone are not secrets.
 */
const SECRET_KEY =
  /^(?:authorization|proxy-authorization|cookie|set-cookie|x-domino-api-key|x-api-key|.*token|.*(?:password|passwd|secret|apikey|api_key|api-key|privatekey|private_key|credential|sessionid).*)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Token-shaped secrets wherever they appear: HTTP auth values, Slack tokens, AWS access key ids. */
const TOKEN_PATTERNS: Array<[RegExp, string]> = [
  [/\b(bearer|basic)\s+[\w.~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  [/\bxox[abposre]-[\w-]+/g, REDACTED],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
];

const TEXT_PATTERNS: Array<[RegExp, string]> = [
  // A PEM private key, to its END line (or the end of the text when the tail cut it).
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, '[redacted private key]'],
  // `password=…`, `db_password: …`, `"api_key": "…"`, `token=…`: keep the name, drop the value.
  [
    /\b([\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)[\w.-]*)(["']?\s*[:=]\s*["']?)[^\s"',;]+/gi,
    `$1$2${REDACTED}`,
  ],
  ...TOKEN_PATTERNS,
];

/** Obvious secrets in free text (command output) replaced by `[redacted]`; the rest is kept. */
export function redactSecretText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of TEXT_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

const MAX_DEPTH = 8;
const MAX_KEYS = 200;

/**
 * A copy of `value` with every secret-bearing key's value replaced, at any depth (bounded), in arrays, Maps
 * and Errors (message, stack and own fields such as `cause` or an SDK's `$response`), and cycle-safe.
 * Cheap when there is nothing to do: primitives are returned as they are.
 */
export function redactDeep(value: unknown): unknown {
  return walk(value, 0, new WeakMap());
}

function walk(value: unknown, depth: number, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === 'string') return redactTokens(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value);
  if (depth >= MAX_DEPTH) return '[deeper than the log keeps]';
  if (value instanceof Date || value instanceof RegExp) return value;
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value.slice(0, MAX_KEYS)) out.push(walk(item, depth + 1, seen));
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  if (value instanceof Error) {
    // pino's err serializer reads these; they are not enumerable own properties.
    out.type = value.name;
    out.message = redactTokens(value.message);
    if (value.stack) out.stack = redactTokens(value.stack);
  }
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  if (value instanceof Error && value.cause !== undefined) entries.push(['cause', value.cause]);
  for (const [key, item] of entries.slice(0, MAX_KEYS)) {
    const name = String(key);
    out[name] = isSecretKey(name) ? REDACTED : walk(item, depth + 1, seen);
  }
  return out;
}

/** Token-shaped secrets inside strings (a header copied into a message, a URL with a token). */
function redactTokens(text: string): string {
  if (!/xox|AKIA|ASIA|bearer|basic/i.test(text)) return text; // the common case: nothing to look at
  let out = text;
  for (const [pattern, replacement] of TOKEN_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
