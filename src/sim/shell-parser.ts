import { lex, type RedirOp, ShellSyntaxError, type Token, type WordPart } from './shell-lexer.js';

export type Word = WordPart[];

export interface Redirect {
  /** The redirected descriptor (default 1 for `>`, 0 for `<`). */
  fd: number;
  op: RedirOp;
  target: Word;
}

export interface SimpleNode {
  type: 'simple';
  assigns: Array<{ name: string; value: Word }>;
  words: Word[];
  redirects: Redirect[];
  line: number;
}

export interface IfNode {
  type: 'if';
  branches: Array<{ cond: ListNode; body: ListNode }>;
  elseBody?: ListNode;
  redirects: Redirect[];
  line: number;
}

export type CommandNode = SimpleNode | IfNode;

export interface PipelineNode {
  commands: CommandNode[];
  negate: boolean;
}

export interface AndOrNode {
  first: PipelineNode;
  rest: Array<{ op: '&&' | '||'; pipeline: PipelineNode }>;
}

export interface ListNode {
  items: AndOrNode[];
}

/** A recursive-descent parser for `list`, `and_or`, `pipeline`, simple commands and `if` clauses. */
export function parseScript(source: string): ListNode {
  const tokens = lex(source);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const lastLine = () => tokens.at(-1)?.line ?? 1;
  const keyword = (token: Token | undefined): string | undefined => {
    if (token?.type !== 'word' || token.parts.length !== 1) return undefined;
    const [part] = token.parts;
    return part?.kind === 'lit' && !part.quoted ? part.text : undefined;
  };
  const isOp = (token: Token | undefined, ...ops: string[]) => token?.type === 'op' && ops.includes(token.op);
  const unexpected = (token: Token | undefined): never => {
    const text =
      token === undefined
        ? 'end of file'
        : token.type === 'op'
          ? token.op === '\n'
            ? 'newline'
            : token.op
          : token.type === 'redir'
            ? token.op
            : (keyword(token) ?? 'word');
    throw new ShellSyntaxError(`syntax error near unexpected token \`${text}'`, token?.line ?? lastLine());
  };
  const skipNewlines = () => {
    while (isOp(peek(), '\n')) pos++;
  };
  const expectKeyword = (word: string) => {
    if (keyword(peek()) !== word) unexpected(peek());
    pos++;
  };

  const parseList = (stops: string[]): ListNode => {
    const items: AndOrNode[] = [];
    for (;;) {
      while (isOp(peek(), '\n', ';')) pos++;
      const next = peek();
      if (next === undefined || stops.includes(keyword(next) ?? '')) return { items };
      items.push(parseAndOr());
      const after = peek();
      if (after !== undefined && !isOp(after, '\n', ';')) unexpected(after);
    }
  };

  const parseAndOr = (): AndOrNode => {
    const node: AndOrNode = { first: parsePipeline(), rest: [] };
    for (let t = peek(); t?.type === 'op' && (t.op === '&&' || t.op === '||'); t = peek()) {
      pos++;
      skipNewlines();
      node.rest.push({ op: t.op, pipeline: parsePipeline() });
    }
    return node;
  };

  const parsePipeline = (): PipelineNode => {
    const negate = keyword(peek()) === '!';
    if (negate) pos++;
    const commands = [parseCommand()];
    while (isOp(peek(), '|')) {
      pos++;
      skipNewlines();
      commands.push(parseCommand());
    }
    return { commands, negate };
  };

  const parseCommand = (): CommandNode => (keyword(peek()) === 'if' ? parseIf() : parseSimple());

  const parseIf = (): IfNode => {
    const line = peek()?.line ?? lastLine();
    pos++;
    const branches: IfNode['branches'] = [];
    let elseBody: ListNode | undefined;
    for (;;) {
      const cond = parseList(['then']);
      expectKeyword('then');
      branches.push({ cond, body: parseList(['elif', 'else', 'fi']) });
      const word = keyword(peek());
      pos++;
      if (word === 'elif') continue;
      if (word === 'else') {
        elseBody = parseList(['fi']);
        expectKeyword('fi');
      } else if (word !== 'fi') unexpected(tokens[pos - 1]);
      break;
    }
    return { type: 'if', branches, ...(elseBody ? { elseBody } : {}), redirects: parseRedirects(), line };
  };

  const parseRedirects = (): Redirect[] => {
    const redirects: Redirect[] = [];
    for (let t = peek(); t?.type === 'redir'; t = peek()) {
      pos++;
      const target = peek();
      if (target?.type !== 'word') return unexpected(target);
      pos++;
      redirects.push({ fd: t.fd ?? (t.op === '<' ? 0 : 1), op: t.op, target: target.parts });
    }
    return redirects;
  };

  const parseSimple = (): SimpleNode => {
    const node: SimpleNode = {
      type: 'simple',
      assigns: [],
      words: [],
      redirects: [],
      line: peek()?.line ?? lastLine(),
    };
    for (let t = peek(); t !== undefined && t.type !== 'op'; t = peek()) {
      if (t.type === 'redir') {
        node.redirects.push(...parseRedirects());
        continue;
      }
      pos++;
      const assign = node.words.length === 0 ? asAssignment(t.parts) : undefined;
      if (assign) node.assigns.push(assign);
      else node.words.push(t.parts);
    }
    if (node.words.length === 0 && node.assigns.length === 0 && node.redirects.length === 0) unexpected(peek());
    return node;
  };

  const list = parseList([]);
  if (pos < tokens.length) unexpected(peek());
  return list;
}

function asAssignment(parts: Word): { name: string; value: Word } | undefined {
  const [first, ...rest] = parts;
  if (first?.kind !== 'lit' || first.quoted) return undefined;
  const match = /^([A-Za-z_]\w*)=(.*)$/s.exec(first.text);
  if (!match) return undefined;
  const value: Word = match[2] ? [{ kind: 'lit', text: match[2], quoted: false }, ...rest] : rest;
  return { name: match[1] as string, value };
}
