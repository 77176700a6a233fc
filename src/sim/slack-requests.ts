import { createHmac, randomBytes } from 'node:crypto';

/**
 * Requests signed exactly as Slack signs them (v0 HMAC-SHA256 of `v0:timestamp:body`), so the demo
 * and sandbox rehearsals go through the real Bolt receiver — signature check included.
 */
export interface SlackRequester {
  slash(input: { text: string; userId: string; channelId: string; responseUrl: string }): Promise<number>;
  click(input: {
    actionId: string;
    value: string;
    userId: string;
    channelId: string;
    messageTs: string;
    responseUrl: string;
  }): Promise<number>;
}

export function createSlackRequester(baseUrl: string, signingSecret: string): SlackRequester {
  async function post(form: Record<string, string>): Promise<number> {
    const body = new URLSearchParams(form).toString();
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    const response = await fetch(`${baseUrl}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature,
      },
      body,
    });
    await response.text();
    return response.status;
  }
  const triggerId = () => `${Date.now()}.1.${randomBytes(6).toString('hex')}`;

  return {
    slash: (input) =>
      post({
        command: '/ami',
        text: input.text,
        user_id: input.userId,
        user_name: input.userId.toLowerCase(),
        channel_id: input.channelId,
        team_id: 'T0DEMO',
        api_app_id: 'A0DEMO',
        response_url: input.responseUrl,
        trigger_id: triggerId(),
      }),
    click: (input) =>
      post({
        payload: JSON.stringify({
          type: 'block_actions',
          user: { id: input.userId, username: input.userId.toLowerCase(), team_id: 'T0DEMO' },
          api_app_id: 'A0DEMO',
          team: { id: 'T0DEMO', domain: 'demo' },
          channel: { id: input.channelId, name: 'ops' },
          container: { type: 'message', message_ts: input.messageTs, channel_id: input.channelId },
          message: { type: 'message', ts: input.messageTs, text: '' },
          trigger_id: triggerId(),
          response_url: input.responseUrl,
          actions: [
            {
              type: 'button',
              action_id: input.actionId,
              block_id: 'demo',
              value: input.value,
              action_ts: (Date.now() / 1000).toFixed(6),
            },
          ],
        }),
      }),
  };
}
