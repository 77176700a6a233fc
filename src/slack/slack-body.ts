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

/** Absent, or a JSON object (Bolt reads `.id` of a present `channel`, `in` of a present `item`, …: null throws). */
const isAbsentOrObject = (value: unknown) => value === undefined || isPlainObject(value);

/**
 * Fields Bolt reads on every kind of body before any listener runs (App.processEvent, helpers.ts): it routes any
 * body with an `event` as an event and any with a `name` as an options request, and it reads
 * `response_urls[0].response_url` when there is no `response_url`. Found by probing the running process.
 */
function refuseForBolt(body: Record<string, unknown>, kind: 'command' | 'action' | 'event'): string | undefined {
  if (kind !== 'event' && body.event !== undefined) return 'an event field on a command or a click';
  if (kind === 'action' && body.name !== undefined) return 'a name field on a click (an options request to Bolt)';
  // Bolt's respond() fails on one that is not text only after the use case ran: the work done, the answer lost.
  if (body.response_url !== undefined && !isString(body.response_url)) return 'a response_url that is not text';
  const urls = body.response_urls;
  if (urls !== undefined && !(Array.isArray(urls) && urls.every(isPlainObject))) return 'response_urls not a list';
  if (kind === 'action' && !isAbsentOrObject(body.channel)) return 'block_actions whose channel is not an object';
  return undefined;
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
  const refusal = refuseForBolt(body, 'action');
  if (refusal) return { kind: 'malformed', why: refusal };
  // No listener would acknowledge another app's button: Bolt would answer 404 after 3 s. Bolt routes a click by
  // its first action only, so that is the one that must be ours.
  const ours = String(actions[0].action_id).startsWith(ACTION_PREFIX);
  return ours ? { kind: 'bolt' } : { kind: 'ignore', why: 'a button that is not ami-bot’s' };
}

/** The only event ami-bot listens to; Bolt reads `user`, `channel`, `item`, `authorizations[0]` of it. */
function classifyEvent(body: Record<string, unknown>): SlackBodyKind {
  const event = body.event;
  if (!isPlainObject(event) || !isString(event.type))
    return { kind: 'malformed', why: 'event_callback without an event' };
  // Any other event (function_executed waits for an ack no listener gives): acknowledged here, nothing runs.
  if (event.type !== 'app_home_opened') return { kind: 'ignore', why: `event ${event.type.slice(0, 40)}` };
  const authorizations = body.authorizations;
  const shaped =
    isString(event.user) &&
    (event.channel === undefined || isString(event.channel)) &&
    isAbsentOrObject(event.item) &&
    isAbsentOrObject(event.subteam) &&
    (!Array.isArray(authorizations) || isAbsentOrObject(authorizations[0]));
  if (!shaped) return { kind: 'malformed', why: 'app_home_opened with a user, channel or item of the wrong type' };
  const refusal = refuseForBolt(body, 'event');
  return refusal ? { kind: 'malformed', why: refusal } : { kind: 'bolt' };
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
    const refusal = refuseForBolt(body, 'command');
    if (refusal) return { kind: 'malformed', why: refusal };
    return body.command === '/ami' ? { kind: 'bolt' } : { kind: 'ignore', why: `command ${body.command.slice(0, 40)}` };
  }
  if (body.type === 'block_actions') return classifyAction(body);
  if (body.type === 'event_callback') return classifyEvent(body);
  if (isString(body.type) && UNUSED_TYPES.has(body.type)) return { kind: 'ignore', why: body.type };
  return { kind: 'malformed', why: 'not a Slack payload type ami-bot knows' };
}
