// Proves the signing helpers and the fake Slack API against a real Bolt App on its HTTP receiver.
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { sendBlockAction, sendSlashCommand } from '../support/slack-signing.js';

const secret = 'test-signing-secret';

describe('signed requests to a real Bolt app', () => {
  let fake: FakeSlack;
  let app: App;
  let baseUrl: string;

  beforeAll(async () => {
    fake = await startFakeSlack();
    app = new App({
      signingSecret: secret,
      token: 'xoxb-test',
      botId: 'B1',
      botUserId: 'U1',
      processBeforeResponse: true,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
    });
    app.command('/ami', async ({ command, ack, client, respond }) => {
      await ack();
      await client.chat.postMessage({
        channel: command.channel_id,
        text: `got: ${command.text}`,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `got: ${command.text}` } }],
      });
      await respond({ text: 'done' });
    });
    app.action('approve', async ({ ack, body, client }) => {
      await ack();
      if (body.type !== 'block_actions') return;
      await client.chat.update({ channel: body.channel!.id, ts: body.message!.ts, text: 'approved' });
    });
    // HTTPReceiver.start resolves with the node:http Server, which knows the port it bound.
    const server = await app.start(0);
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.stop();
    await fake?.close();
  });

  beforeEach(() => fake.reset());

  const command = () => ({
    text: 'bake prod',
    userId: 'U42',
    channelId: 'C9',
    responseUrl: fake.responseUrl('cmd-1'),
  });

  it('accepts a correctly signed command and the handler reaches the fake Web API', async () => {
    const res = await sendSlashCommand(baseUrl, secret, command());
    expect(res.status).toBe(200);

    const [post] = fake.callsTo('chat.postMessage');
    expect(post?.args).toMatchObject({ channel: 'C9', text: 'got: bake prod' });
    expect(post?.args.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: 'got: bake prod' } }]);
    expect(post?.token).toBe('xoxb-test');
    expect(post?.response).toMatchObject({ ok: true, channel: 'C9', ts: '1700000000.000100' });

    const reply = await fake.waitFor((c) => c.method === 'response_url');
    expect(reply.responseId).toBe('cmd-1');
    expect(reply.args).toMatchObject({ text: 'done' });
  });

  it('rejects a forged signature with 401', async () => {
    const res = await sendSlashCommand(baseUrl, secret, command(), { forgeSignature: true });
    expect(res.status).toBe(401);
    expect(fake.calls).toHaveLength(0);
  });

  it('rejects a stale timestamp with 401', async () => {
    const res = await sendSlashCommand(baseUrl, secret, command(), { staleTimestamp: true });
    expect(res.status).toBe(401);
    expect(fake.calls).toHaveLength(0);
  });

  it('delivers a signed block action, retry headers included', async () => {
    const res = await sendBlockAction(
      baseUrl,
      secret,
      { actionId: 'approve', value: 'x', userId: 'U42', channelId: 'C9', messageTs: '1700000000.000100' },
      { retryNum: 1 },
    );
    expect(res.status).toBe(200);
    const update = await fake.waitFor((c) => c.method === 'chat.update');
    expect(update.args).toMatchObject({ channel: 'C9', ts: '1700000000.000100', text: 'approved' });
  });
});
