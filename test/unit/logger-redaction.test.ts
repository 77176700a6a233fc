import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { redactSecretText } from '../../src/shared/redact.js';
import { toBoltLogger } from '../../src/slack/bolt-logger.js';

/** A logger writing to memory: every line as written, nothing mocked. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

const SECRETS = [
  'xoxb-111_secret_bot',
  'sig-secret-222',
  'xapp-1_secret_app',
  'domino-key-333',
  'Bearer-abc-444',
  'hunter2-555',
  'cookie-666',
  'tok-777',
];

function nest(depth: number, leaf: Record<string, unknown>): Record<string, unknown> {
  let value: Record<string, unknown> = leaf;
  for (let i = 0; i < depth; i++) value = { [`level${i}`]: value };
  return value;
}

describe('log redaction at any depth', () => {
  it.each([1, 2, 3, 4, 5, 6])('hides secret-bearing keys %i level(s) deep and keeps the rest', (depth) => {
    const { logger, lines } = capture();
    logger.info(
      nest(depth, {
        botToken: SECRETS[0],
        signingSecret: SECRETS[1],
        AppToken: SECRETS[2],
        'X-Domino-Api-Key': SECRETS[3],
        Authorization: SECRETS[4],
        password: SECRETS[5],
        cookie: SECRETS[6],
        token: SECRETS[7],
        channel: 'C0OPS',
      }),
      'with secrets',
    );
    const line = lines.join('\n');
    for (const secret of SECRETS) expect(line).not.toContain(secret);
    expect(line).toContain('C0OPS');
    expect(line).toContain('with secrets');
    expect(line).toContain('[redacted]');
    expect(JSON.parse(lines[0]!).msg).toBe('with secrets');
  });

  it('covers the shapes of the issue: deps.config.slack and options.headers', () => {
    const { logger, lines } = capture();
    logger.warn({ deps: { config: { slack: { botToken: SECRETS[0], signingSecret: SECRETS[1] } } } }, 'deps');
    logger.warn({ options: { headers: { Authorization: `Bearer ${SECRETS[4]}`, accept: 'json' } } }, 'request');
    const text = lines.join('\n');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).toContain('"accept":"json"');
  });

  it('hides secrets in arrays, child bindings, Error fields and causes, and survives cycles', () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error('call failed'), {
      config: { headers: { authorization: SECRETS[4] } },
      cause: Object.assign(new Error('inner'), { apiKey: SECRETS[3] }),
    });
    const cyclic: Record<string, unknown> = { name: 'loop', password: SECRETS[5] };
    cyclic.self = cyclic;
    const child = logger.child({ deps: { slack: { appToken: SECRETS[2] } } });
    child.error(
      { err: error, list: [{ token: SECRETS[7] }, [{ signingSecret: SECRETS[1] }]], cyclic },
      'failure with an error',
    );
    const text = lines.join('\n');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    const line = JSON.parse(lines[0]!);
    expect(line.err.message).toBe('call failed');
    expect(line.err.stack).toContain('call failed');
    expect(line.err.cause.message).toBe('inner');
    expect(line.cyclic.name).toBe('loop');
    expect(line.msg).toBe('failure with an error');
  });

  it('hides token-shaped values in messages and strings (Bolt logs strings)', () => {
    const { logger, lines } = capture();
    logger.info({ url: 'https://x/?t=1', note: 'Authorization: Bearer abcdefgh12345678' }, `token=${SECRETS[7]} sent`);
    // Token-shaped values are assembled here so that no credential-looking literal is committed.
    logger.info(`posting with ${['xoxb', '1234', '5678', 'abcdefgh'].join('-')}`);
    const text = lines.join('\n');
    expect(text).not.toContain(SECRETS[7]);
    expect(text).not.toContain('abcdefgh12345678');
    expect(text).not.toContain('xoxb-1234');
    expect(text).toContain('https://x/?t=1');
  });

  it('keeps ordinary keys that merely look similar', () => {
    const { logger, lines } = capture();
    logger.info({ key: 'highstate', commandId: 'c-1', keyCount: 3, tokens: 2 }, 'ok');
    expect(JSON.parse(lines[0]!)).toMatchObject({ key: 'highstate', commandId: 'c-1', keyCount: 3, tokens: 2 });
    const accessKeyId = `AKIA${'IOSFODNN7EXAMPLE'}`; // AWS's documented example key id, assembled at run time
    logger.info({ aws: { credentials: { accessKeyId }, secretAccessKey: 'wJalr-999' } }, 'aws');
    expect(lines[1]).not.toContain('wJalr-999');
    expect(lines[1]).not.toContain(accessKeyId);
  });
});

describe('redactSecretText (command output shown in Slack)', () => {
  it('drops values of password/token/key assignments and private keys, keeps the rest', () => {
    const output = [
      '+  db_password: hunter2',
      '-  api_key = "abc123"',
      'TOKEN=s3cr3t-token',
      'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x',
      '-----BEGIN RSA PRIVATE KEY-----',
      'MIIEow',
      '-----END RSA PRIVATE KEY-----',
      'Succeeded: 85 (changed=3)',
    ].join('\n');
    const redacted = redactSecretText(output);
    for (const secret of ['hunter2', 'abc123', 's3cr3t-token', 'eyJhbGciOiJIUzI1NiJ9', 'MIIEow'])
      expect(redacted).not.toContain(secret);
    expect(redacted).toContain('db_password: [redacted]');
    expect(redacted).toContain('[redacted private key]');
    expect(redacted).toContain('Succeeded: 85 (changed=3)');
  });
});

describe('Bolt logger mapping', () => {
  it('keeps Web API / Socket Mode debug payload lines out at info, and redacts what it passes on', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const bolt = toBoltLogger(createLogger({ level: 'info', destination }));
    bolt.debug(`http request body: {"token":"${['xoxb', '9', '9', 'payload'].join('-')}"}`);
    bolt.debug('Received a message on the WebSocket: {"envelope_id":"e1"}');
    expect(lines).toHaveLength(0);
    bolt.warn('http request failed', 'Authorization: Bearer abcdefgh12345678');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('http request failed');
    expect(lines[0]).not.toContain('abcdefgh12345678');
  });
});
