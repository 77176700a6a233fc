import { SocketModeReceiver, type SocketModeReceiverOptions } from '@slack/bolt';
import type { Logger } from '../shared/logger.js';
import { type DeliveryGate, deliveryKey } from './delivery-gate.js';
import { classifySlackBody, isPlainObject } from './slack-body.js';

type WsListener = (data: unknown, isBinary: boolean) => unknown;

/** The part of @slack/socket-mode's client the guard needs (an EventEmitter that can ack an envelope). */
export interface SocketClientLike {
  listeners(event: 'ws_message'): unknown[];
  removeAllListeners(event: 'ws_message'): unknown;
  on(event: 'ws_message', listener: WsListener): unknown;
  send(envelopeId: string, body?: Record<string, unknown>): Promise<void>;
}

const isEventCallback = (payload: unknown) => isPlainObject(payload) && payload.type === 'event_callback';

/** Envelopes without a payload (the connection's own messages): passed on untouched. */
const CONTROL = new Set(['hello', 'disconnect']);

/**
 * @slack/socket-mode reads `envelope.payload.event.type` of whatever JSON arrives (an `events_api` envelope with
 * `payload: null`, or the message `null`, rejects inside its listener: an unhandled rejection). Here every
 * envelope is checked first: malformed ones, kinds ami-bot does not use and duplicates are acked and dropped;
 * the rest go on to the client's own handler, whose failure is logged instead of escaping.
 */
export function guardSocketClient(client: SocketClientLike, edge: { logger: Logger; gate?: DeliveryGate }): void {
  const inner = client.listeners('ws_message') as WsListener[];
  client.removeAllListeners('ws_message');
  const log = edge.logger.child({ component: 'slack-edge' });

  const drop = async (envelope: Record<string, unknown>, message: string, fields: Record<string, unknown>) => {
    log.info(fields, message);
    if (typeof envelope.envelope_id === 'string') {
      await client.send(envelope.envelope_id).catch(() => log.info('could not ack a dropped Socket Mode envelope'));
    }
  };

  async function route(data: unknown, isBinary: boolean): Promise<void> {
    if (!isBinary) {
      let envelope: unknown;
      try {
        envelope = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data as Uint8Array));
      } catch {
        log.info('ignored a Socket Mode message that is not JSON');
        return;
      }
      if (!isPlainObject(envelope)) {
        log.warn(
          { got: envelope === null ? 'null' : typeof envelope },
          'ignored a Socket Mode message that is not an envelope',
        );
        return;
      }
      if (!CONTROL.has(String(envelope.type))) {
        const kind = classifySlackBody(envelope.payload);
        if (kind.kind !== 'bolt') {
          await drop(envelope, 'Socket Mode envelope acknowledged and dropped', { why: kind.why });
          return;
        }
        // The client reads `payload.event.type` of every events_api envelope, whatever its payload is.
        if (envelope.type === 'events_api' && !isEventCallback(envelope.payload)) {
          await drop(envelope, 'Socket Mode envelope acknowledged and dropped', { why: 'events_api without an event' });
          return;
        }
        const key = isPlainObject(envelope.payload) ? deliveryKey(envelope.payload) : undefined;
        if (key && edge.gate && !(await edge.gate.isFirst(key))) {
          await drop(envelope, 'duplicate Slack delivery acknowledged; nothing was run', {
            delivery: key.split(':')[0],
            retryNum: envelope.retry_attempt,
          });
          return;
        }
      }
    }
    for (const listener of inner) await listener(data, isBinary);
  }

  client.on('ws_message', (data, isBinary) => {
    route(data, isBinary).catch((error: unknown) => log.error({ err: error }, 'Socket Mode message failed'));
  });
}

/** Bolt's SocketModeReceiver with its client's incoming messages guarded. */
export function createGuardedSocketReceiver(
  options: SocketModeReceiverOptions,
  edge: { logger: Logger; gate?: DeliveryGate },
): SocketModeReceiver {
  const receiver = new SocketModeReceiver(options);
  guardSocketClient(receiver.client as unknown as SocketClientLike, edge);
  return receiver;
}
