/**
 * Tokens of the POSIX shell subset that AWS-RunShellScript receives from ami-bot: quoting, `$var`,
 * `${var}`, `$?`, `$(…)`, redirections, `&&`/`||`/`;`/`|`/newline. Anything else (subshells, background
 * jobs, here-docs) is a syntax error on purpose: a bot change that needs more fails loudly in the demo.
 */

export type WordPart =
  | { kind: 'lit'; text: string; quoted: boolean }
  | { kind: 'var'; name: string; quoted: boolean }
  /** `$(…)`: the inner source, parsed when it runs. */
  | { kind: 'sub'; source: string; quoted: boolean };

export type Op = '&&' | '||' | ';' | '|' | '\n';
export type RedirOp = '>' | '>>' | '<' | '>&';

export type Token =
  | { type: 'word'; parts: WordPart[]; line: number }
  | { type: 'op'; op: Op; line: number }
  | { type: 'redir'; fd: number | undefined; op: RedirOp; line: number };

export class ShellSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

export function lex(source: string): Token[] {
  const tokens: Token[] = [];
  let parts: WordPart[] | undefined;
  let line = 1;
  let i = 0;
  const add = (part: WordPart) => {
    parts ??= [];
    const last = parts.at(-1);
    if (part.kind === 'lit' && last?.kind === 'lit' && last.quoted === part.quoted) last.text += part.text;
    else parts.push(part);
  };
  const endWord = () => {
    if (parts !== undefined) tokens.push({ type: 'word', parts, line });
    parts = undefined;
  };

  while (i < source.length) {
    const c = source[i] as string;
    const two = source.slice(i, i + 2);
    if (two === '\\\n') {
      i += 2;
      line++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
    } else if (c === '#' && parts === undefined) {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '\n' || c === ';' || c === '|' || c === '&') {
      endWord();
      const op = two === '&&' || two === '||' ? two : c;
      if (op === '&') throw new ShellSyntaxError('background jobs (&) are not supported', line);
      if (two === ';;') throw new ShellSyntaxError("syntax error near unexpected token `;;'", line);
      tokens.push({ type: 'op', op: op as Op, line });
      if (c === '\n') line++;
      i += op.length;
    } else if (c === '>' || c === '<') {
      const only = parts?.length === 1 ? parts[0] : undefined;
      let fd: number | undefined;
      if (only?.kind === 'lit' && !only.quoted && /^\d$/.test(only.text)) {
        fd = Number(only.text);
        parts = undefined;
      } else endWord();
      const op: RedirOp = two === '>>' ? '>>' : two === '>&' ? '>&' : c === '<' ? '<' : '>';
      tokens.push({ type: 'redir', fd, op, line });
      i += op.length;
    } else if (c === '(' || c === ')') {
      throw new ShellSyntaxError(`syntax error near unexpected token \`${c}'`, line);
    } else if (c === "'") {
      const end = source.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError("unexpected EOF while looking for matching `''", line);
      add({ kind: 'lit', text: source.slice(i + 1, end), quoted: true });
      line += countNewlines(source.slice(i, end));
      i = end + 1;
    } else if (c === '"') {
      i = readDoubleQuoted(source, i + 1, add, line);
    } else if (c === '$') {
      i = readDollar(source, i, false, add, line);
    } else if (c === '\\') {
      add({ kind: 'lit', text: source[i + 1] ?? '', quoted: true });
      i += 2;
    } else {
      add({ kind: 'lit', text: c, quoted: false });
      i++;
    }
  }
  endWord();
  return tokens;
}

/** Reads after the opening `"`; returns the index after the closing one. */
function readDoubleQuoted(source: string, start: number, add: (p: WordPart) => void, line: number): number {
  let i = start;
  add({ kind: 'lit', text: '', quoted: true });
  while (i < source.length && source[i] !== '"') {
    const c = source[i] as string;
    if (c === '\\' && '$`"\\\n'.includes(source[i + 1] ?? '')) {
      add({ kind: 'lit', text: source[i + 1] as string, quoted: true });
      i += 2;
    } else if (c === '$') {
      i = readDollar(source, i, true, add, line);
    } else if (c === '`') {
      throw new ShellSyntaxError('backquote command substitution is not supported; use $(…)', line);
    } else {
      add({ kind: 'lit', text: c, quoted: true });
      i++;
    }
  }
  if (i >= source.length) throw new ShellSyntaxError('unexpected EOF while looking for matching `"\'', line);
  return i + 1;
}

/** Reads a `$…` expansion at `start`; returns the index after it. */
function readDollar(source: string, start: number, quoted: boolean, add: (p: WordPart) => void, line: number): number {
  const next = source[start + 1] ?? '';
  if (next === '(') {
    const end = matchingParen(source, start + 1, line);
    add({ kind: 'sub', source: source.slice(start + 2, end), quoted });
    return end + 1;
  }
  if (next === '{') {
    const end = source.indexOf('}', start);
    const name = source.slice(start + 2, end);
    if (end < 0 || !/^(?:[A-Za-z_]\w*|[?$#0-9])$/.test(name))
      throw new ShellSyntaxError(`\${${name}}: bad substitution`, line);
    add({ kind: 'var', name, quoted });
    return end + 1;
  }
  const name = /^(?:[A-Za-z_]\w*|[?$#0-9])/.exec(source.slice(start + 1))?.[0];
  if (name === undefined) {
    add({ kind: 'lit', text: '$', quoted });
    return start + 1;
  }
  add({ kind: 'var', name, quoted });
  return start + 1 + name.length;
}

function matchingParen(source: string, open: number, line: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === "'") i = source.indexOf("'", i + 1);
    else if (c === '"') {
      for (i++; i < source.length && source[i] !== '"'; i++) if (source[i] === '\\') i++;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
    if (i < 0) break;
  }
  throw new ShellSyntaxError("unexpected EOF while looking for matching `)'", line);
}

function countNewlines(text: string): number {
  return text.split('\n').length - 1;
}
