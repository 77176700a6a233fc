/**
 * Reason-giving checks for the pieces of a Docker image reference (distribution/reference grammar).
 * Each returns `undefined` when the piece is valid, or a plain-English reason saying what is wrong.
 * Only image-reference.ts should use these; they assume the characters were screened first.
 */

export const MAX_REFERENCE_LENGTH = 255;
const MAX_TAG_LENGTH = 128;

const SHELL_CHARACTERS = new Set([
  ';',
  '|',
  '&',
  '$',
  '`',
  '(',
  ')',
  '<',
  '>',
  '\\',
  '*',
  '?',
  '!',
  '{',
  '}',
  '~',
  '#',
]);
/** Characters a reference can contain at all; `[` `]` only around an IPv6 registry address. */
const ALLOWED = /^[A-Za-z0-9._:/@[\]-]$/;

/** Screens characters first, so anything a shell would interpret gets the most direct reason. */
export function characterProblem(ref: string): string | undefined {
  for (const ch of ref) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === ' ') return 'contains a space';
    if (ch === '\n' || ch === '\r') return 'contains a line break';
    if (ch === '\t') return 'contains a tab';
    if (code < 0x20 || code === 0x7f) return `contains the control character U+${code.toString(16).padStart(4, '0')}`;
    if (ch === "'" || ch === '"') return `contains the quote character \`${ch}\``;
    if (SHELL_CHARACTERS.has(ch)) return `contains the shell character \`${ch}\``;
    if (code > 0x7e) return `contains the non-ASCII character \`${ch}\``;
    if (!ALLOWED.test(ch)) return `contains the character \`${ch}\`, which is not allowed in an image reference`;
  }
  return undefined;
}

const DIGEST_HEX_LENGTH = 64;

export function digestProblem(digest: string): string | undefined {
  const colon = digest.indexOf(':');
  if (colon === -1) return `digest \`${digest}\` must look like \`sha256:<64 hexadecimal characters>\``;
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  if (algorithm !== 'sha256') return `digest algorithm \`${algorithm}\` is not supported; use sha256`;
  const bad = [...hex].find((c) => !/[0-9a-fA-F]/.test(c));
  if (bad !== undefined) return `digest contains \`${bad}\`, which is not a hexadecimal digit`;
  if (hex.length !== DIGEST_HEX_LENGTH) {
    return `digest must have ${DIGEST_HEX_LENGTH} hexadecimal characters after \`sha256:\` (it has ${hex.length})`;
  }
  if (/[A-F]/.test(hex)) return 'digest must be lowercase hexadecimal';
  return undefined;
}

export function tagProblem(tag: string): string | undefined {
  if (tag === '') return 'has an empty tag after `:`';
  if (tag.length > MAX_TAG_LENGTH) return `tag is longer than ${MAX_TAG_LENGTH} characters`;
  if (!/^\w/.test(tag)) return `tag \`${tag}\` must start with a letter, a digit or \`_\``;
  const bad = [...tag].find((c) => !/[\w.-]/.test(c));
  if (bad !== undefined)
    return `tag \`${tag}\` contains \`${bad}\`; tags may use letters, digits, \`_\`, \`.\` and \`-\``;
  return undefined;
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])$`);

/** Docker reads the first component as a registry when it has `.` or `:`, is `localhost`, or has capitals. */
export function looksLikeDomain(component: string): boolean {
  return /[.:[]/.test(component) || component === 'localhost' || component !== component.toLowerCase();
}

export function domainProblem(domain: string): string | undefined {
  // The port is after the last `:` unless that colon is inside an IPv6 address's brackets.
  const portColon = domain.lastIndexOf(':');
  const hasPort = portColon > domain.lastIndexOf(']');
  const host = hasPort ? domain.slice(0, portColon) : domain;
  const port = hasPort ? domain.slice(portColon + 1) : undefined;
  if (!HOST.test(host)) return `registry \`${host}\` is not a valid host name`;
  if (port !== undefined && !/^[0-9]+$/.test(port)) return `registry port \`${port}\` must be a number`;
  return undefined;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;

export function pathComponentProblem(component: string): string | undefined {
  if (PATH_COMPONENT.test(component)) return undefined;
  if (/[A-Z]/.test(component)) return `repository must be lowercase (\`${component}\`)`;
  const bad = [...component].find((c) => !/[a-z0-9._-]/.test(c));
  if (bad === ':') return `repository part \`${component}\` contains \`:\`; a tag can only come at the end`;
  if (bad !== undefined) return `repository part \`${component}\` contains \`${bad}\`, which is not allowed there`;
  if (!/^[a-z0-9]/.test(component) || !/[a-z0-9]$/.test(component)) {
    return `repository part \`${component}\` must start and end with a lowercase letter or digit`;
  }
  return `repository part \`${component}\` has an invalid separator (use one \`.\`, one or two \`_\`, or dashes)`;
}
