// Socket Mode's malformed envelopes, fed to the real @slack/socket-mode client (as its WebSocket would) behind
// our guard and Bolt's real SocketModeReceiver. Without the guard, `null` or `{"type":"events_api","payload":null}`
// rejects inside the client's listener: an unhandled rejection, which fails this test (and ended the process).
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStateStore } from '../../src/adapters/memory/memory-state-store.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { toBoltLogger } from '../../src/slack/bolt-logger.js';
import { createDeliveryGate } from '../../src/slack/delivery-gate.js';
import { createGuardedSocketReceiver, type SocketClientLike } from '../../src/slack/socket-edge.js';

function rig() {
  const store = createMemoryStateStore();
  const logger = createSilentLogger();
  const receiver = createGuardedSocketReceiver(
    { appToken: 'xapp-1-test_not_real', logger: toBoltLogger(logger) },
    { logger, gate: createDeliveryGate({ deliveries: store.deliveries, logger }) },
  );
  const bodies: unknown[] = [];
  receiver.init({ processEvent: async (event: { body: unknown }) => void bodies.push(event.body) } as never);
  const client = receiver.client as unknown as SocketClientLike & { emit(event: string, ...args: unknown[]): boolean };
  const acked: string[] = [];
  client.send = async (id: string) => void acked.push(id);
  return { client, bodies, acked };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 50));
const command = (envelopeId: string, triggerId: string) =>
  JSON.stringify({
    type: 'slash_commands',
    envelope_id: envelopeId,
    payload: { command: '/ami', text: 'help', user_id: 'U1', channel_id: 'C1', trigger_id: triggerId },
  });

describe('Socket Mode edge', () => {
  const errors: unknown[] = [];
  const onRejection = (reason: unknown) => errors.push(reason);
  process.on('unhandledRejection', onRejection);
  afterEach(() => expect(errors).toEqual([]));

  it('drops null, arrays, numbers and payload-less envelopes (acked), and still delivers a real one', async () => {
    const { client, bodies, acked } = rig();
    for (const message of [
      'null',
      '[]',
      '42',
      '"x"',
      '{"type":"events_api","envelope_id":"e1","payload":null}',
      '{"type":"events_api","envelope_id":"e2","payload":{"type":"event_callback","event":null}}',
      '{"type":"interactive","envelope_id":"e3","payload":[1]}',
      '{"type":"slash_commands","envelope_id":"e4","payload":7}',
      'not json',
      // The client reads payload.event.type of every events_api envelope: a command or a handshake under that
      // type threw inside it, unacked (found by probing).
      '{"type":"events_api","envelope_id":"e5","payload":{"command":"/ami","text":"help","user_id":"U1","channel_id":"C1"}}',
      '{"type":"events_api","envelope_id":"e6","payload":{"type":"url_verification","challenge":"x"}}',
    ]) {
      client.emit('ws_message', message, false);
    }
    await flush();
    expect(bodies).toEqual([]);
    expect(acked).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);

    client.emit('ws_message', command('ok1', 'T-1'), false);
    await flush();
    expect(bodies).toHaveLength(1);
    expect((bodies[0] as { text: string }).text).toBe('help');
  });

  it('a redelivered envelope (same trigger_id) is acked and runs once', async () => {
    const { client, bodies, acked } = rig();
    client.emit('ws_message', command('a', 'T-2'), false);
    await flush();
    client.emit('ws_message', command('b', 'T-2'), false);
    await flush();
    expect(bodies).toHaveLength(1);
    expect(acked).toEqual(['b']);
  });
});
