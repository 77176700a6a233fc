/**
 * Just enough of POSIX shell to read the AWS-RunShellScript lines ami-bot sends: quoting, `&&`, `||`, `;`,
 * pipes into `tail`/`head`, `2>&1` and `>/dev/null`-style redirections, comments. Anything fancier is
 * deliberately not understood, so a bot change that relies on it fails loudly in the demo first.
 */

export interface SimpleCommand {
  argv: string[];
  /** `2>&1`: stderr goes where stdout goes (into the pipe, if any). */
  stderrToStdout: boolean;
  dropStdout: boolean;
  dropStderr: boolean;
}

export interface Pipeline {
  commands: SimpleCommand[];
  /** How this pipeline is joined to the previous one on the same line. */
  joinedBy: ';' | '&&' | '||';
}

type Token = { word: string } | { op: string };

export function parseLine(line: string): Pipeline[] {
  const pipelines: Pipeline[] = [];
  let current: Pipeline = { commands: [], joinedBy: ';' };
  let command: SimpleCommand = emptyCommand();
  const endCommand = () => {
    if (command.argv.length > 0) current.commands.push(command);
    command = emptyCommand();
  };
  for (const token of tokenize(line)) {
    if ('word' in token) {
      command.argv.push(token.word);
      continue;
    }
    switch (token.op) {
      case '2>&1':
        command.stderrToStdout = true;
        break;
      case '>/dev/null':
      case '1>/dev/null':
        command.dropStdout = true;
        break;
      case '2>/dev/null':
        command.dropStderr = true;
        break;
      case '|':
        endCommand();
        break;
      default:
        endCommand();
        if (current.commands.length > 0) pipelines.push(current);
        current = { commands: [], joinedBy: token.op as Pipeline['joinedBy'] };
    }
  }
  endCommand();
  if (current.commands.length > 0) pipelines.push(current);
  return pipelines;
}

function emptyCommand(): SimpleCommand {
  return { argv: [], stderrToStdout: false, dropStdout: false, dropStderr: false };
}

const OPERATORS = ['2>&1', '1>/dev/null', '2>/dev/null', '>/dev/null', '&&', '||', ';', '|'];

function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let word: string | undefined;
  let i = 0;
  const flush = () => {
    if (word !== undefined) tokens.push({ word });
    word = undefined;
  };
  while (i < line.length) {
    const c = line[i] as string;
    if (word === undefined && c === '#') break;
    if (c === ' ' || c === '\t') {
      flush();
      i++;
      continue;
    }
    const rest = line.slice(i).replace(/^(\d?>)\s+\/dev\/null/, '$1/dev/null');
    const op = word === undefined || /^[&|;]/.test(rest) ? OPERATORS.find((o) => rest.startsWith(o)) : undefined;
    if (op !== undefined) {
      flush();
      tokens.push({ op });
      i += op.length + (line.slice(i).length - rest.length);
      continue;
    }
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error('unexpected EOF while looking for matching `\'\'');
      word = (word ?? '') + line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && '"\\$`'.includes(line[j + 1] ?? '')) j++;
        text += line[j];
        j++;
      }
      if (j >= line.length) throw new Error('unexpected EOF while looking for matching `"\'');
      word = (word ?? '') + text;
      i = j + 1;
    } else if (c === '\\') {
      word = (word ?? '') + (line[i + 1] ?? '');
      i += 2;
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  flush();
  return tokens;
}
