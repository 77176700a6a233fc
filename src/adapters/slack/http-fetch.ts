import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * A `fetch` for Bolt's `respond()` (response_url) and the Slack WebClient, over node:http(s) with keep-alive
 * agents. Why: every slash command and click is answered through response_url, and under a burst the
 * built-in fetch (undici's spec machinery, web streams) cost about a fifth of the app's CPU per request
 * (docs/PERFORMANCE.md, "Ack latency"); this path does the same POST for a fraction of it. Only what those
 * two callers send is handled here (string bodies, no redirects followed); anything else goes to the
 * built-in fetch unchanged.
 */
export type FetchFn = typeof globalThis.fetch;

function toHeaderRecord(headers: unknown): Record<string, string> | undefined {
  if (headers === undefined || headers === null) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return undefined;
  const record: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number') return undefined;
    record[key] = String(value);
  }
  return record;
}

/**
 * The part of a fetch `Response` that Bolt's respond() (ok, status, statusText) and the WebClient (status,
 * statusText, url, headers.get / entries, text, json, arrayBuffer) read. Why not `new Response(...)`: building one
 * (undici's class and its web stream) cost more CPU than the whole POST under the ack benchmark's burst.
 */
class ResponseHeaders {
  readonly #values = new Map<string, string>();
  constructor(raw: IncomingHttpHeaders) {
    for (const [key, value] of Object.entries(raw)) {
      if (value !== undefined) this.#values.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
  }
  get(name: string): string | null {
    return this.#values.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.#values.has(name.toLowerCase());
  }
  entries(): IterableIterator<[string, string]> {
    return this.#values.entries();
  }
  keys(): IterableIterator<string> {
    return this.#values.keys();
  }
  values(): IterableIterator<string> {
    return this.#values.values();
  }
  forEach(callback: (value: string, key: string) => void): void {
    for (const [key, value] of this.#values) callback(value, key);
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.#values.entries();
  }
}

class BufferedResponse {
  readonly ok: boolean;
  readonly redirected = false;
  readonly type = 'basic';
  #used = false;
  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    readonly headers: ResponseHeaders,
    readonly buffer: Buffer,
  ) {
    this.ok = status >= 200 && status < 300;
  }
  get bodyUsed(): boolean {
    return this.#used;
  }
  #consume(): Buffer {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.buffer;
  }
  async text(): Promise<string> {
    return this.#consume().toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.#consume();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
}

export interface HttpFetchOptions {
  /** Sockets kept per host (Slack's API and response_url hosts). */
  maxSockets?: number;
  /** Where anything this adapter does not handle goes; the built-in fetch by default. */
  fallback?: FetchFn;
  /**
   * A request whose socket stays silent this long fails (default 30 s). The built-in fetch gives up after 300 s
   * without headers; a Slack call that hangs must not hold a bake's progress or an answer for that long.
   */
  idleTimeoutMs?: number;
}

export function createHttpFetch(options: HttpFetchOptions = {}): FetchFn {
  const fallback = options.fallback ?? globalThis.fetch;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, scheduling: 'lifo' as const };
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent(agentOptions);

  const httpFetch = (input: Parameters<FetchFn>[0], init: RequestInit = {}): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
    const body = init.body ?? undefined;
    const headers = toHeaderRecord(init.headers);
    const method = (init.method ?? 'GET').toUpperCase();
    if (url === undefined || headers === undefined || (body !== undefined && typeof body !== 'string')) {
      return fallback(input, init);
    }
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return fallback(input, init);
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return fallback(input, init);
    const isHttps = target.protocol === 'https:';
    const payload = body === undefined ? undefined : Buffer.from(body);
    if (payload !== undefined) headers['content-length'] = String(payload.byteLength);

    return new Promise<Response>((resolve, reject) => {
      const signal = init.signal ?? undefined;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const send = isHttps ? httpsRequest : httpRequest;
      const req = send(target, { method, headers, agent: isHttps ? httpsAgent : httpAgent });
      req.setTimeout(idleTimeoutMs, () => req.destroy(new Error(`no answer within ${idleTimeoutMs} ms`)));
      const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      req.on('error', (error) => {
        done();
        reject(new TypeError('fetch failed', { cause: error }));
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (init.redirect === 'error' && status >= 300 && status < 400) {
          res.resume();
          done();
          reject(new TypeError(`fetch failed: redirect (${status}) not allowed`));
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => {
          done();
          reject(new TypeError('fetch failed', { cause: error }));
        });
        res.on('end', () => {
          done();
          const response = new BufferedResponse(
            target.href,
            status,
            res.statusMessage ?? '',
            new ResponseHeaders(res.headers),
            Buffer.concat(chunks),
          );
          resolve(response as unknown as Response);
        });
      });
      req.end(payload);
    });
  };
  return httpFetch as FetchFn;
}
