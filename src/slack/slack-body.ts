import { parse as parseQuery } from 'node:querystring';
import { ACTION_PREFIX } from './action-ids.js';

/**
 * What a signed Slack body is, checked before Bolt sees it. Bolt 5 reads properties of whatever JSON the body
 * holds (`payload=null` killed the process, docs/OPERATIONS.md "Known upstream defects"), and a body no listener
 * acknowledges waits 3 s for a 404. So: only shapes our listeners handle reach Bolt; Slack's own kinds we do not
 * use are acknowledged here; anything else is malformed (400).
 */
export type SlackBodyKind = { kind: 'bolt' } | { kind: 'ignore'; why: string } | { kind: 'malformed'; why: string };

/** Slack payload kinds ami-bot has no listener for: acknowledged with 200, nothing runs. */
const UNUSED_TYPES = new Set([
  'view_submission',
  'view_closed',
  'shortcut',
  'message_action',
  'block_suggestion',
  'interactive_message',
  'dialog_submission',
  'dialog_cancellation',
  'dialog_suggestion',
  'app_rate_limited',
  'workflow_step_edit',
]);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** Parses a body exactly as Bolt's HTTPReceiver does (form: the `payload` field's JSON, or the fields). */
export function parseSlackBody(raw: string, contentType: string | undefined): unknown {
  if (contentType === 'application/x-www-form-urlencoded') {
    const fields = parseQuery(raw);
    return typeof fields.payload === 'string' ? JSON.parse(fields.payload) : { ...fields };
  }
  return JSON.parse(raw);
}

function classifyAction(body: Record<string, unknown>): SlackBodyKind {
  const user = body.user;
  if (!isPlainObject(user) || !isString(user.id)) return { kind: 'malformed', why: 'block_actions without user.id' };
  const actions = body.actions;
  if (!Array.isArray(actions) || actions.length === 0)
    return { kind: 'malformed', why: 'block_actions without actions' };
  if (!actions.every((action) => isPlainObject(action) && isString(action.action_id))) {
    return { kind: 'malformed', why: 'block_actions with an action that has no action_id' };
  }
  // No listener would acknowledge another app's button: Bolt would answer 404 after 3 s.
  const ours = actions.some((action) => String(action.action_id).startsWith(ACTION_PREFIX));
  return ours ? { kind: 'bolt' } : { kind: 'ignore', why: 'a button that is not ami-bot’s' };
}

export function classifySlackBody(body: unknown): SlackBodyKind {
  if (!isPlainObject(body)) return { kind: 'malformed', why: `the payload is ${body === null ? 'null' : typeof body}` };
  if (body.ssl_check === '1' || body.type === 'url_verification') return { kind: 'bolt' };
  if (body.command !== undefined) {
    if (!isString(body.command) || !isString(body.user_id) || !isString(body.channel_id)) {
      return { kind: 'malformed', why: 'a command without command, user_id or channel_id' };
    }
    if (body.text !== undefined && !isString(body.text))
      return { kind: 'malformed', why: 'a command whose text is not text' };
    return body.command === '/ami' ? { kind: 'bolt' } : { kind: 'ignore', why: `command ${body.command.slice(0, 40)}` };
  }
  if (body.type === 'block_actions') return classifyAction(body);
  if (body.type === 'event_callback') {
    const event = body.event;
    return isPlainObject(event) && isString(event.type)
      ? { kind: 'bolt' }
      : { kind: 'malformed', why: 'event_callback without an event' };
  }
  if (isString(body.type) && UNUSED_TYPES.has(body.type)) return { kind: 'ignore', why: body.type };
  return { kind: 'malformed', why: 'not a Slack payload type ami-bot knows' };
}
