// A fake Slack Web API (and response_url target) on 127.0.0.1, recording every call. Point Bolt at it with
// `clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { driveUntil } from './time-driver.js';

export type SlackArgs = Record<string, unknown>;

/**
 * The user a chat.postMessage call DMs: its channel is a user id (`U…`/`W…`, the app's DM with them) or a DM
 * channel from conversations.open (`D<user id>` in this fake); undefined for anything else.
 */
export function dmUser(call: Pick<FakeSlackCall, 'method' | 'args'>): string | undefined {
  if (call.method !== 'chat.postMessage') return undefined;
  const channel = String(call.args.channel ?? '');
  if (/^[UW]/.test(channel)) return channel;
  if (/^D[UW]/.test(channel)) return channel.slice(1);
  return undefined;
}

export interface FakeSlackCall {
  /** Web API method (e.g. 'chat.postMessage'), or 'response_url' for POSTs to responseUrl(id). */
  method: string;
  /** Parsed body; JSON-string fields such as `blocks` are parsed to objects. */
  args: SlackArgs;
  /** Date.now() when received. */
  at: number;
  /** Bearer token from the Authorization header, or the `token` field. */
  token: string | undefined;
  /** For response_url calls: the id in /response/<id>. */
  responseId?: string;
  /** What the fake answered: HTTP status and body (status 0 while an async hook is still running). */
  status: number;
  response: unknown;
}

/** A scripted failure: an HTTP status (429 sets Retry-After) or a Slack `{ok:false, error}` answer. */
export type FakeSlackFault =
  | { status: number; retryAfterSeconds?: number; body?: unknown }
  | { error: string; [extra: string]: unknown };

/** Returning an object answers the call with it (as JSON, status 200); returning nothing keeps the default. */
export type FakeSlackHook = (
  call: Pick<FakeSlackCall, 'method' | 'args' | 'at' | 'token' | 'responseId'>,
) => SlackArgs | undefined | Promise<SlackArgs | undefined>;

export interface FakeSlackOptions {
  /** users.lookupByEmail: email → user id. */
  usersByEmail?: Record<string, string>;
  /** usergroups.users.list: usergroup id → member user ids. */
  usergroups?: Record<string, string[]>;
  /** Per-method limit in calls per second; beyond it the fake answers 429 with Retry-After: 1. */
  rateLimits?: Record<string, number>;
  teamId?: string;
  botId?: string;
  botUserId?: string;
}

export interface FakeSlack {
  readonly url: string;
  /** `<url>/api/`: Bolt's `clientOptions.slackApiUrl`. */
  readonly apiUrl: string;
  responseUrl(id: string): string;
  readonly calls: readonly FakeSlackCall[];
  callsTo(method: string): FakeSlackCall[];
  waitFor(predicate: (call: FakeSlackCall) => boolean, timeoutMs?: number): Promise<FakeSlackCall>;
  failNext(method: string, fault: FakeSlackFault): void;
  setRateLimit(method: string, perSecond: number | undefined): void;
  /** Hook for one method, or '*' for every call; returns an unsubscribe function. */
  onCall(method: string, hook: FakeSlackHook): () => void;
  setUsersByEmail(map: Record<string, string>): void;
  setUsergroup(id: string, users: string[]): void;
  /** Forgets calls, faults, hooks and rate-limit windows, and restores the constructor's options. */
  reset(): void;
  close(): Promise<void>;
}

// Fields the Web API client sends as JSON strings inside form bodies.
const JSON_FIELDS = new Set(['blocks', 'attachments', 'metadata', 'view', 'unfurls', 'user_auth_blocks']);
const BASE_TS = 1_700_000_000;

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const teamId = options.teamId ?? 'T1';
  const botId = options.botId ?? 'B1';
  const botUserId = options.botUserId ?? 'U1';
  let usersByEmail = { ...options.usersByEmail };
  let usergroups = { ...options.usergroups };
  let rateLimits: Record<string, number> = { ...options.rateLimits };
  let calls: FakeSlackCall[] = [];
  let faults = new Map<string, FakeSlackFault[]>();
  let hooks: { method: string; hook: FakeSlackHook }[] = [];
  let windows = new Map<string, number[]>();
  let seq = 0;

  const nextTs = () => {
    seq += 1;
    const micros = seq * 100;
    return `${BASE_TS + Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  };

  const defaultAnswer = (method: string, args: SlackArgs): SlackArgs => {
    const channel = typeof args.channel === 'string' ? args.channel : undefined;
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.test/',
          team: 'Fake',
          user: 'ami-bot',
          team_id: teamId,
          user_id: botUserId,
          bot_id: botId,
        };
      case 'chat.postMessage': {
        const ts = nextTs();
        // Posting to a user id lands in the app's DM with that user; Slack answers with the DM's channel id.
        const posted = channel && /^[UW]/.test(channel) ? `D${channel}` : channel;
        return { ok: true, channel: posted, ts, message: { type: 'message', text: args.text, ts, bot_id: botId } };
      }
      case 'chat.update':
        return { ok: true, channel, ts: args.ts, text: args.text };
      case 'chat.delete':
        return { ok: true, channel, ts: args.ts };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'chat.getPermalink': {
        const ts = String(args.message_ts ?? '').replace('.', '');
        return { ok: true, channel, permalink: `https://fake.slack.test/archives/${channel}/p${ts}` };
      }
      case 'conversations.open': {
        const user = String(args.users ?? '').split(',')[0];
        return { ok: true, channel: { id: `D${user}` } };
      }
      case 'users.lookupByEmail': {
        const id = usersByEmail[String(args.email)];
        return id
          ? { ok: true, user: { id, profile: { email: args.email } } }
          : { ok: false, error: 'users_not_found' };
      }
      case 'usergroups.users.list': {
        const users = usergroups[String(args.usergroup)];
        return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
      }
      case 'views.open':
      case 'views.update':
      case 'views.publish':
        return { ok: true, view: { id: `V${nextTs().replace('.', '')}` } };
      default:
        return { ok: true };
    }
  };

  const rateLimited = (method: string, now: number): boolean => {
    const limit = rateLimits[method];
    if (limit === undefined) return false;
    const recent = (windows.get(method) ?? []).filter((t) => now - t < 1000);
    windows.set(method, recent);
    if (recent.length >= limit) return true;
    recent.push(now);
    return false;
  };

  const answer = async (
    base: Pick<FakeSlackCall, 'method' | 'args' | 'at' | 'token' | 'responseId'>,
  ): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> => {
    const queued = faults.get(base.method);
    const fault = queued?.shift();
    if (fault) {
      if ('error' in fault) return { status: 200, body: { ok: false, ...fault } };
      const headers: Record<string, string> = {};
      if (fault.status === 429) headers['retry-after'] = String(fault.retryAfterSeconds ?? 1);
      return { status: fault.status, body: fault.body ?? { ok: false, error: 'ratelimited' }, headers };
    }
    if (rateLimited(base.method, base.at)) {
      return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '1' } };
    }
    for (const { method, hook } of hooks) {
      if (method !== '*' && method !== base.method) continue;
      const custom = await hook(base);
      if (custom) return { status: 200, body: custom };
    }
    if (base.method === 'response_url') return { status: 200, body: { ok: true } };
    return { status: 200, body: defaultAnswer(base.method, base.args) };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://fake');
    const api = /^\/api\/([\w.]+)$/.exec(url.pathname);
    const resp = /^\/response\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'POST' || (!api && !resp)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"ok":false,"error":"unknown_method"}');
      return;
    }
    const raw = await readBody(req);
    const args = parseBody(raw, req.headers['content-type']);
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : typeof args.token === 'string' ? args.token : undefined;
    const base = resp
      ? { method: 'response_url', args, at, token, responseId: decodeURIComponent(resp[1]!) }
      : { method: api![1]!, args, at, token };
    // Recorded on arrival (so `calls` keeps arrival order even with slow async hooks), completed once answered.
    const call: FakeSlackCall = { ...base, status: 0, response: undefined };
    calls.push(call);
    const { status, body, headers } = await answer(base);
    call.status = status;
    call.response = body;
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    apiUrl: `${base}/api/`,
    responseUrl: (id) => `${base}/response/${encodeURIComponent(id)}`,
    get calls() {
      return calls;
    },
    callsTo: (method) => calls.filter((c) => c.method === method),
    async waitFor(predicate, timeoutMs = 5_000) {
      const found = calls.find(predicate);
      if (found) return found;
      // While it waits, the bots on a manual clock live on (time-driver.ts): the call may be a timer away.
      try {
        return await driveUntil('a call', () => calls.find((c) => c.status !== 0 && predicate(c)), {
          realLimitMs: timeoutMs,
        });
      } catch {
        const seen = calls.map((c) => c.method).join(', ') || 'none';
        throw new Error(`fake Slack: no matching call within ${timeoutMs} ms (calls so far: ${seen})`);
      }
    },
    failNext(method, fault) {
      const queue = faults.get(method) ?? [];
      queue.push(fault);
      faults.set(method, queue);
    },
    setRateLimit(method, perSecond) {
      if (perSecond === undefined) delete rateLimits[method];
      else rateLimits[method] = perSecond;
    },
    onCall(method, hook) {
      const entry = { method, hook };
      hooks.push(entry);
      return () => {
        hooks = hooks.filter((h) => h !== entry);
      };
    },
    setUsersByEmail(map) {
      usersByEmail = { ...map };
    },
    setUsergroup(id, users) {
      usergroups[id] = [...users];
    },
    reset() {
      calls = [];
      faults = new Map();
      hooks = [];
      windows = new Map();
      usersByEmail = { ...options.usersByEmail };
      usergroups = { ...options.usergroups };
      rateLimits = { ...options.rateLimits };
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string, contentType: string | undefined): SlackArgs {
  if (raw === '') return {};
  if (contentType?.includes('application/json')) {
    try {
      return JSON.parse(raw) as SlackArgs;
    } catch {
      return { _raw: raw };
    }
  }
  const args: SlackArgs = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = JSON_FIELDS.has(key) ? tryJson(value) : value;
  }
  return args;
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
