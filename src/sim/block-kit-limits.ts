import type { Block } from '../ports/chat.js';

type Obj = Record<string, unknown>;

/**
 * The Block Kit limits Slack enforces, checked before the console accepts a message, so a builder that
 * would get `invalid_blocks` in production fails in the demo and in tests too. Returns Slack's
 * response_metadata messages (empty when the blocks are valid).
 */
export function blockKitErrors(blocks: Block[]): string[] {
  const errors: string[] = [];
  const err = (message: string, pointer: string) => errors.push(`[ERROR] ${message} [json-pointer:${pointer}]`);
  const maxText = (value: unknown, max: number, pointer: string, plainOnly = false) => {
    if (!isObj(value)) return err('must provide an object', pointer);
    if (value.type !== 'plain_text' && (plainOnly || value.type !== 'mrkdwn'))
      err('must be a valid enum value', `${pointer}/type`);
    const text = typeof value.text === 'string' ? value.text : '';
    if (text.length === 0) err('must be more than 0 characters', `${pointer}/text`);
    if (text.length > max) err(`must be less than ${max + 1} characters`, `${pointer}/text`);
  };
  const maxLength = (value: unknown, max: number, pointer: string) => {
    if (typeof value === 'string' && value.length > max) err(`must be less than ${max + 1} characters`, pointer);
  };
  const checkElement = (e: Obj, pointer: string, actionIds: Set<string>) => {
    if (typeof e.action_id === 'string') {
      maxLength(e.action_id, 255, `${pointer}/action_id`);
      if (actionIds.has(e.action_id)) err('action_id already exists', `${pointer}/action_id`);
      actionIds.add(e.action_id);
    }
    if (e.type === 'button') {
      maxText(e.text, 75, `${pointer}/text`, true);
      maxLength(e.value, 2000, `${pointer}/value`);
      maxLength(e.url, 3000, `${pointer}/url`);
    }
    if (isObj(e.confirm)) {
      const c = e.confirm;
      maxText(c.title, 100, `${pointer}/confirm/title`, true);
      maxText(c.text, 300, `${pointer}/confirm/text`);
      maxText(c.confirm, 30, `${pointer}/confirm/confirm`, true);
      maxText(c.deny, 30, `${pointer}/confirm/deny`, true);
    }
  };

  if (blocks.length > 50) err('no more than 50 items allowed', '/blocks');
  const blockIds = new Set<string>();
  // Checked as Slack checks them: as JSON of any shape (a builder may have cast its way past the types).
  (blocks as unknown as Obj[]).forEach((block, i) => {
    const at = `/blocks/${i}`;
    if (typeof block.block_id === 'string') {
      maxLength(block.block_id, 255, `${at}/block_id`);
      if (blockIds.has(block.block_id)) err('block_id already exists', `${at}/block_id`);
      blockIds.add(block.block_id);
    }
    const actionIds = new Set<string>();
    switch (block.type) {
      case 'header':
        maxText(block.text, 150, `${at}/text`, true);
        break;
      case 'section': {
        const fields = Array.isArray(block.fields) ? block.fields : [];
        if (block.text === undefined && fields.length === 0) err('must provide either text or fields', at);
        if (block.text !== undefined) maxText(block.text, 3000, `${at}/text`);
        if (fields.length > 10) err('no more than 10 items allowed', `${at}/fields`);
        for (const [k, f] of fields.entries()) maxText(f, 2000, `${at}/fields/${k}`);
        if (isObj(block.accessory)) checkElement(block.accessory, `${at}/accessory`, actionIds);
        break;
      }
      case 'context': {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        if (elements.length === 0 || elements.length > 10) err('must have between 1 and 10 items', `${at}/elements`);
        break;
      }
      case 'actions': {
        const elements = (Array.isArray(block.elements) ? block.elements : []).filter(isObj);
        if (elements.length === 0 || elements.length > 25) err('must have between 1 and 25 items', `${at}/elements`);
        for (const [k, e] of elements.entries()) checkElement(e, `${at}/elements/${k}`, actionIds);
        break;
      }
      case 'divider':
      case 'image':
      case 'input':
      case 'rich_text':
      case 'file':
      case 'video':
        break;
      default:
        err('must be a valid enum value', `${at}/type`);
    }
  });
  return errors;
}

/** An error shaped like @slack/web-api's platform errors, which the real Slack adapter lets through. */
export function slackPlatformError(error: string, messages: string[] = []): Error {
  return Object.assign(new Error(`An API error occurred: ${error}`), {
    code: 'slack_webapi_platform_error',
    data: { ok: false, error, ...(messages.length > 0 ? { response_metadata: { messages } } : {}) },
  });
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
