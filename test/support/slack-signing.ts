// Requests signed exactly as Slack signs them, for driving a real Bolt HTTP receiver at `<baseUrl>/slack/events`:
// X-Slack-Signature = v0=hex(HMAC_SHA256(secret, `v0:${ts}:${rawBody}`)), X-Slack-Request-Timestamp = ts.
import { createHmac, randomBytes } from 'node:crypto';

export interface SignOptions {
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  /** Sign with a wrong secret, so the receiver must answer 401. */
  forgeSignature?: boolean;
  /** Use a timestamp 6 minutes old (Bolt rejects > 5 min with 401). */
  staleTimestamp?: boolean;
  /** Adds X-Slack-Retry-Num (and X-Slack-Retry-Reason, default 'http_timeout') as Slack does on redelivery. */
  retryNum?: number;
  retryReason?: string;
}

export interface SlackResponse {
  status: number;
  body: string;
}

export function slackSignature(secret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export function signedHeaders(secret: string, rawBody: string, opts: SignOptions = {}): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const timestamp = opts.timestamp ?? (opts.staleTimestamp ? now - 6 * 60 : now);
  const key = opts.forgeSignature ? `${secret}-forged` : secret;
  const headers: Record<string, string> = {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(key, timestamp, rawBody),
  };
  if (opts.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(opts.retryNum);
    headers['x-slack-retry-reason'] = opts.retryReason ?? 'http_timeout';
  }
  return headers;
}

/** POSTs a form-encoded body to `<baseUrl>/slack/events`, signed. */
export async function postSigned(
  baseUrl: string,
  secret: string,
  form: Record<string, string>,
  opts: SignOptions = {},
): Promise<SlackResponse> {
  const rawBody = new URLSearchParams(form).toString();
  const res = await fetch(`${baseUrl.replace(/\/+$/, '')}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...signedHeaders(secret, rawBody, opts) },
    body: rawBody,
  });
  return { status: res.status, body: await res.text() };
}

/** POSTs any raw body (form, JSON, garbage) to `<baseUrl>/slack/events`, signed over exactly those bytes. */
export async function postRawSigned(
  baseUrl: string,
  secret: string,
  rawBody: string,
  contentType: string,
  opts: SignOptions = {},
): Promise<SlackResponse> {
  const res = await fetch(`${baseUrl.replace(/\/+$/, '')}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...signedHeaders(secret, rawBody, opts) },
    body: rawBody,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.text() };
}

export interface SlashCommandInput {
  text: string;
  userId: string;
  channelId: string;
  command?: string;
  responseUrl?: string;
  triggerId?: string;
  teamId?: string;
  userName?: string;
  channelName?: string;
  apiAppId?: string;
}

export function sendSlashCommand(
  baseUrl: string,
  secret: string,
  cmd: SlashCommandInput,
  opts?: SignOptions,
): Promise<SlackResponse> {
  const form: Record<string, string> = {
    token: 'deprecated-verification-token',
    team_id: cmd.teamId ?? 'T1',
    team_domain: 'fake',
    channel_id: cmd.channelId,
    channel_name: cmd.channelName ?? 'ops',
    user_id: cmd.userId,
    user_name: cmd.userName ?? cmd.userId.toLowerCase(),
    command: cmd.command ?? '/ami',
    text: cmd.text,
    api_app_id: cmd.apiAppId ?? 'A1',
    is_enterprise_install: 'false',
    response_url: cmd.responseUrl ?? 'https://hooks.slack.com/commands/T1/1/unused',
    trigger_id: cmd.triggerId ?? newTriggerId(),
  };
  return postSigned(baseUrl, secret, form, opts);
}

export interface BlockActionInput {
  actionId: string;
  value?: string;
  userId: string;
  channelId: string;
  messageTs: string;
  blockId?: string;
  responseUrl?: string;
  triggerId?: string;
  teamId?: string;
  /** Enterprise Grid org of the click (absent outside Grid). */
  enterpriseId?: string;
  /** Set when the button's message is a reply in a thread (Slack sends message.thread_ts). */
  threadTs?: string;
  messageText?: string;
  /** Blocks of the message the button sits in (Bolt hands them to handlers as body.message.blocks). */
  messageBlocks?: unknown[];
  apiAppId?: string;
}

export function blockActionPayload(a: BlockActionInput): Record<string, unknown> {
  const actionTs = (Date.now() / 1000).toFixed(6);
  return {
    type: 'block_actions',
    user: { id: a.userId, username: a.userId.toLowerCase(), team_id: a.teamId ?? 'T1' },
    api_app_id: a.apiAppId ?? 'A1',
    token: 'deprecated-verification-token',
    container: {
      type: 'message',
      message_ts: a.messageTs,
      channel_id: a.channelId,
      is_ephemeral: false,
      ...(a.threadTs ? { thread_ts: a.threadTs } : {}),
    },
    trigger_id: a.triggerId ?? newTriggerId(),
    team: { id: a.teamId ?? 'T1', domain: 'fake' },
    ...(a.enterpriseId ? { enterprise: { id: a.enterpriseId, name: 'grid' }, is_enterprise_install: false } : {}),
    channel: { id: a.channelId, name: 'ops' },
    message: {
      type: 'message',
      ts: a.messageTs,
      text: a.messageText ?? '',
      blocks: a.messageBlocks ?? [],
      ...(a.threadTs ? { thread_ts: a.threadTs } : {}),
    },
    response_url: a.responseUrl ?? 'https://hooks.slack.com/actions/T1/1/unused',
    actions: [
      {
        action_id: a.actionId,
        block_id: a.blockId ?? 'b1',
        value: a.value ?? '',
        type: 'button',
        text: { type: 'plain_text', text: a.actionId },
        action_ts: actionTs,
      },
    ],
  };
}

export function sendBlockAction(
  baseUrl: string,
  secret: string,
  action: BlockActionInput,
  opts?: SignOptions,
): Promise<SlackResponse> {
  return sendInteraction(baseUrl, secret, blockActionPayload(action), opts);
}

/** Any interactive payload (block_actions, view_submission, …) sent as the form field `payload=<json>`. */
export function sendInteraction(
  baseUrl: string,
  secret: string,
  payload: Record<string, unknown>,
  opts?: SignOptions,
): Promise<SlackResponse> {
  return postSigned(baseUrl, secret, { payload: JSON.stringify(payload) }, opts);
}

function newTriggerId(): string {
  return `${Date.now()}.1.${randomBytes(8).toString('hex')}`;
}
