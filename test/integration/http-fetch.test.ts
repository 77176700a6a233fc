import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type WebAPIRateLimitedError, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHttpFetch } from '../../src/adapters/slack/http-fetch.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('the keep-alive fetch behind respond() and the WebClient', () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  let handler: Handler = (_req, res) => res.end('ok');

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        handler(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('POSTs a string body with its headers and returns status, headers and body', async () => {
    handler = (_req, res) => {
      res.writeHead(201, 'Made', { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
      res.end(JSON.stringify({ ok: true, n: 3 }));
    };
    const fetchFn = createHttpFetch();
    const response = await fetchFn(`${base}/response/abc?x=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'héllo' }),
    });
    const last = seen.at(-1) as Seen;
    expect(last.method).toBe('POST');
    expect(last.url).toBe('/response/abc?x=1');
    expect(last.headers['content-type']).toBe('application/json');
    expect(last.headers['content-length']).toBe(String(Buffer.byteLength(JSON.stringify({ text: 'héllo' }))));
    expect(JSON.parse(last.body)).toEqual({ text: 'héllo' });
    expect(response.ok).toBe(true);
    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Made');
    expect(response.url).toBe(`${base}/response/abc?x=1`);
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('x-multi')).toBe('a, b');
    expect(response.headers.get('missing')).toBeNull();
    expect(await response.json()).toEqual({ ok: true, n: 3 });
    await expect(response.text()).rejects.toThrow(/already been read/);
  });

  it('reports a non-2xx answer as not ok, as fetch does (respond() turns it into an error)', async () => {
    handler = (_req, res) => {
      res.writeHead(404);
      res.end('expired_url');
    };
    const response = await createHttpFetch()(`${base}/gone`, { method: 'POST', body: '{}' });
    expect(response.ok).toBe(false);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('expired_url');
  });

  it('refuses to follow a redirect when asked to, as the WebClient asks', async () => {
    handler = (_req, res) => {
      res.writeHead(302, { location: 'https://elsewhere.invalid/' });
      res.end();
    };
    await expect(
      createHttpFetch()(`${base}/moved`, { method: 'POST', body: 'a=1', redirect: 'error' }),
    ).rejects.toThrow(/redirect/);
  });

  it('rejects on a refused connection and on an abort', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(createHttpFetch()(`http://127.0.0.1:${port}/`, { method: 'POST', body: '' })).rejects.toThrow(
      'fetch failed',
    );

    handler = () => undefined; // never answers
    const controller = new AbortController();
    const pending = createHttpFetch()(`${base}/slow`, { method: 'POST', body: 'x', signal: controller.signal });
    setTimeout(() => controller.abort(new Error('timed out')), 20);
    await expect(pending).rejects.toThrow();
    await expect(
      createHttpFetch()(`${base}/slow`, { method: 'POST', body: 'x', signal: AbortSignal.abort() }),
    ).rejects.toThrow();
  });

  it('gives up on a request whose server stays silent', async () => {
    handler = () => undefined; // never answers
    const started = Date.now();
    const error = await createHttpFetch({ idleTimeoutMs: 100 })(`${base}/hang`, { method: 'POST', body: 'x' }).catch(
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as Error & { cause?: Error }).cause?.message)).toContain('no answer within 100 ms');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('verifies TLS: a server with a certificate nobody signed is refused, nothing is sent to it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amibot-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      let received = 0;
      const tls = createHttpsServer(
        { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
        (_req, res) => {
          received++;
          res.end('{}');
        },
      );
      await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
      const port = (tls.address() as AddressInfo).port;
      const error = await createHttpFetch()(`https://127.0.0.1:${port}/api/chat.postMessage`, {
        method: 'POST',
        body: 'token=x',
      }).catch((e: unknown) => e as Error & { cause?: { code?: string } });
      await new Promise((resolve) => tls.close(resolve));
      expect(error).toBeInstanceOf(TypeError);
      expect((error as { cause?: { code?: string } }).cause?.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
      expect(received).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hands anything it does not handle (a form upload, a Request object) to the fallback unchanged', async () => {
    const fallback = vi.fn(async () => new Response('from fallback'));
    const fetchFn = createHttpFetch({ fallback });
    const form = new FormData();
    form.append('file', new Blob(['x']), 'x.txt');
    const init = { method: 'POST', body: form };
    expect(await (await fetchFn(`${base}/upload`, init)).text()).toBe('from fallback');
    expect(fallback).toHaveBeenCalledWith(`${base}/upload`, init);
    const request = new Request(`${base}/r`);
    await fetchFn(request);
    expect(fallback).toHaveBeenLastCalledWith(request, {});
  });

  describe('under the Slack WebClient', () => {
    let fake: FakeSlack;
    beforeAll(async () => {
      fake = await startFakeSlack();
    });
    afterAll(async () => {
      await fake.close();
    });

    it('carries Web API calls and their answers, and the Retry-After of a 429', async () => {
      const client = new WebClient('xoxb-test_not_a_real_token', {
        slackApiUrl: fake.apiUrl,
        fetch: createHttpFetch(),
        rejectRateLimitedCalls: true,
        retryConfig: { retries: 0 },
      });
      const posted = await client.chat.postMessage({ channel: 'C0OPS0001', text: 'hi', blocks: [] });
      expect(posted.ok).toBe(true);
      expect(posted.ts).toBeTruthy();
      const call = fake.callsTo('chat.postMessage').at(-1);
      expect(call?.args.text).toBe('hi');
      expect(call?.token).toBe('xoxb-test_not_a_real_token');

      fake.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 7 });
      const error = await client.chat.postMessage({ channel: 'C0OPS0001', text: 'again' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as WebAPIRateLimitedError).code).toBe('slack_webapi_rate_limited_error');
      expect((error as WebAPIRateLimitedError).retryAfter).toBe(7);

      fake.failNext('chat.postMessage', { error: 'channel_not_found' });
      await expect(client.chat.postMessage({ channel: 'C0NOPE', text: 'x' })).rejects.toThrow(/channel_not_found/);
    });
  });
});
