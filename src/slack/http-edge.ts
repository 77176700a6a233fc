import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type BufferedIncomingMessage,
  HTTPModuleFunctions,
  HTTPReceiver,
  type HTTPReceiverOptions,
  verifySlackRequest,
} from '@slack/bolt';
import type { Logger } from '../shared/logger.js';
import { type DeliveryGate, deliveryKey } from './delivery-gate.js';
import { classifySlackBody, isPlainObject, parseSlackBody } from './slack-body.js';

/** Bolt refuses timestamps older than this; we refuse ones this far ahead (Bolt does not look). */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;
const EVENTS_PATH = '/slack/events';

export interface HttpEdgeOptions {
  signingSecret: string;
  logger: Logger;
  /** Deduplicates deliveries across replicas; none: every delivery runs. */
  gate?: DeliveryGate;
  /** Wall time in ms (tests). */
  now?: () => number;
}

function reply(res: ServerResponse, status: number): void {
  if (res.headersSent) return;
  res.writeHead(status);
  res.end();
}

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const isEventsPost = (req: IncomingMessage) =>
  req.method?.toUpperCase() === 'POST' && new URL(req.url ?? '/', 'http://localhost').pathname === EVENTS_PATH;

/**
 * Bolt's HTTPReceiver behind our own checks of every POST to /slack/events, in this order: body read (413/400),
 * signature and a timestamp at most 5 minutes off in either direction (401), a body our listeners can read (400;
 * Slack kinds we do not use: 200), and a delivery not seen before (a duplicate: 200, nothing runs). Only then
 * does Bolt get the request — already buffered, which it re-verifies. Health routes go straight to Bolt.
 */
export function createGuardedHttpReceiver(receiverOptions: HTTPReceiverOptions, edge: HttpEdgeOptions): HTTPReceiver {
  const receiver = new HTTPReceiver(receiverOptions);
  const inner = receiver.requestListener;
  const now = edge.now ?? Date.now;
  const log = edge.logger.child({ component: 'slack-edge' });

  async function admit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let buffered: BufferedIncomingMessage;
    try {
      buffered = await HTTPModuleFunctions.bufferIncomingMessage(req, HTTPModuleFunctions.defaultBodyLimit);
    } catch (error) {
      const tooLarge =
        HTTPModuleFunctions.isRawBodyError(error) && (error as { statusCode?: number }).statusCode === 413;
      log.info({ tooLarge }, 'Slack request body could not be read');
      // The rest of the body stays unread (raw-body paused the stream): a request behind it on this keep-alive
      // connection would never be read, so the connection ends with this answer.
      if (!res.headersSent) res.setHeader('connection', 'close');
      reply(res, tooLarge ? 413 : 400);
      return;
    }
    const raw = buffered.rawBody.toString();
    const timestamp = header(req, 'x-slack-request-timestamp') ?? '';
    const signature = header(req, 'x-slack-signature') ?? '';
    const nowSeconds = Math.floor(now() / 1000);
    // Digits without a leading zero: Bolt verifies Number(timestamp), so `0${ts}` would carry the same signature
    // under another delivery key (a replay run twice).
    if (!/^[1-9]\d{0,11}$/.test(timestamp) || Number(timestamp) > nowSeconds + MAX_CLOCK_SKEW_SECONDS) {
      log.warn({ timestamp: timestamp.slice(0, 20) }, 'Slack request refused: timestamp missing or in the future');
      reply(res, 401);
      return;
    }
    try {
      verifySlackRequest({
        signingSecret: edge.signingSecret,
        body: raw,
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(timestamp) },
        nowMilliseconds: now(),
      });
    } catch (error) {
      log.info({ reason: (error as Error).message }, 'Slack request refused: signature');
      reply(res, 401);
      return;
    }
    let body: unknown;
    try {
      body = parseSlackBody(raw, header(req, 'content-type'));
    } catch {
      log.info('Slack request refused: the body is not JSON');
      reply(res, 400);
      return;
    }
    const kind = classifySlackBody(body);
    if (kind.kind !== 'bolt') {
      log.info(
        { why: kind.why },
        kind.kind === 'ignore' ? 'Slack request not for ami-bot: acknowledged' : 'Slack request refused: malformed',
      );
      reply(res, kind.kind === 'ignore' ? 200 : 400);
      return;
    }
    if (edge.gate && isPlainObject(body)) {
      const key = deliveryKey(body, { timestamp, signature });
      const handshake = body.ssl_check === '1' || body.type === 'url_verification';
      if (key && !handshake && !(await edge.gate.isFirst(key))) {
        log.info(
          { delivery: key.split(':')[0], retryNum: header(req, 'x-slack-retry-num') },
          'duplicate Slack delivery acknowledged; nothing was run',
        );
        reply(res, 200);
        return;
      }
    }
    inner(buffered, res);
  }

  receiver.requestListener = (req, res) => {
    if (!isEventsPost(req)) {
      inner(req, res);
      return;
    }
    admit(req, res).catch((error: unknown) => {
      log.error({ err: error }, 'Slack request failed at the edge');
      reply(res, 500);
    });
  };
  return receiver;
}
