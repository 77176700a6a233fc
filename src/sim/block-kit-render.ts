import type { Block } from '../ports/chat.js';
import { type Directory, mrkdwnToText } from './mrkdwn.js';

type Obj = Record<string, unknown>;

/**
 * Block Kit as plain text lines, close enough to Slack's layout to review a message in a terminal or assert
 * on it in a test. Buttons read `[ Label ]`; primary ones `[[ Label ]]`, danger ones `[! Label !]`, and a
 * trailing `…` in the label says a confirm dialog will ask first.
 */
export function renderBlocks(blocks: Block[], directory: Directory): string[] {
  return (blocks as unknown as Obj[]).flatMap((block) => renderBlock(block, directory));
}

function renderBlock(block: Obj, dir: Directory): string[] {
  const text = (value: unknown) => textOf(value, dir);
  switch (block.type) {
    case 'header':
      return [`# ${text(block.text)}`];
    case 'section': {
      const lines = block.text === undefined ? [] : text(block.text).split('\n');
      for (const field of asArray(block.fields)) lines.push(`• ${text(field).replace(/\n+/g, ' ')}`);
      if (isObj(block.accessory)) lines.push(...[element(block.accessory, dir)].filter((l) => l !== ''));
      return lines;
    }
    case 'context':
      return [
        `› ${asArray(block.elements)
          .map((e) => (e.type === 'image' ? `[${String(e.alt_text ?? 'image')}]` : text(e)))
          .join('  ·  ')}`,
      ];
    case 'divider':
      return ['─'.repeat(40)];
    case 'actions':
      return [
        asArray(block.elements)
          .map((e) => element(e, dir))
          .join(' '),
      ];
    case 'image':
      return [`[image: ${String(block.alt_text ?? '')}]`];
    case 'input':
      return [`${text(block.label)}: ${isObj(block.element) ? element(block.element, dir) : ''}`];
    case 'rich_text':
      return richText(block).split('\n');
    default:
      return [`[${String(block.type)} block]`];
  }
}

function element(e: Obj, dir: Directory): string {
  const label = textOf(e.text, dir) + (isObj(e.confirm) ? '…' : '');
  switch (e.type) {
    case 'button':
      return e.style === 'primary' ? `[[ ${label} ]]` : e.style === 'danger' ? `[! ${label} !]` : `[ ${label} ]`;
    case 'static_select':
    case 'users_select':
    case 'conversations_select':
    case 'channels_select':
    case 'multi_static_select':
      return `[ ${textOf(e.placeholder, dir) || 'Select'} ▾ ]`;
    case 'overflow':
      return '[ ⋯ ]';
    case 'datepicker':
      return `[ ${String(e.initial_date ?? 'date')} ▾ ]`;
    case 'plain_text_input':
      return '[ ____ ]';
    case 'image':
      return '';
    default:
      return `[${String(e.type)}]`;
  }
}

function textOf(value: unknown, dir: Directory): string {
  if (!isObj(value)) return typeof value === 'string' ? value : '';
  const raw = String(value.text ?? '');
  return value.type === 'mrkdwn' ? mrkdwnToText(raw, dir) : raw;
}

function richText(block: Obj): string {
  const walk = (node: Obj): string => {
    if (typeof node.text === 'string') return node.text;
    if (node.type === 'user') return `@${String(node.user_id)}`;
    if (node.type === 'link') return String(node.text ?? node.url ?? '');
    return asArray(node.elements)
      .map(walk)
      .join(node.type === 'rich_text_list' ? '\n' : '');
  };
  return walk(block);
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): Obj[] {
  return Array.isArray(value) ? value.filter(isObj) : [];
}
