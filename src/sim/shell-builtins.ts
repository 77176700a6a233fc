import type { Shell } from './shell-interpreter.js';
import { makeDirs, readFile, resolvePath, type SimFilesystem } from './sim-fs.js';

/** Shell builtins and the few coreutils the bot's scripts use; all instantaneous except `sleep`. */
export interface BuiltinResult {
  status: number;
  stdout?: string;
  stderr?: string;
  /** Set by `exit`: the script ends with this code. */
  exit?: number;
  sleepMs?: number;
}

interface Ctx {
  sh: Shell;
  fs: SimFilesystem;
  stdin: string;
  where: string;
}

const ok = (stdout = ''): BuiltinResult => ({ status: 0, stdout });
const fail = (stderr: string, status = 1): BuiltinResult => ({ status, stderr: `${stderr}\n` });

export function runBuiltin(argv: string[], ctx: Ctx): BuiltinResult | undefined {
  const [name, ...args] = argv as [string, ...string[]];
  switch (name) {
    case ':':
    case 'true':
    case 'cd':
      return ok();
    case 'false':
      return { status: 1 };
    case 'echo': {
      const newline = args[0] !== '-n';
      return ok(`${(newline ? args : args.slice(1)).join(' ')}${newline ? '\n' : ''}`);
    }
    case 'set':
      for (const arg of args) {
        if (/^-[a-z]*e/.test(arg)) ctx.sh.errexit = true;
        if (/^\+[a-z]*e/.test(arg)) ctx.sh.errexit = false;
        if (arg === 'pipefail') ctx.sh.pipefail = true;
      }
      return ok();
    case 'export':
      for (const arg of args) {
        const eq = arg.indexOf('=');
        if (eq > 0) ctx.sh.vars.set(arg.slice(0, eq), arg.slice(eq + 1));
      }
      return ok();
    case 'exit': {
      const code = args[0] === undefined ? ctx.sh.lastExit : Number(args[0]);
      if (!Number.isInteger(code))
        return { ...fail(`${ctx.where}: exit: ${args[0]}: numeric argument required`, 2), exit: 2 };
      return { status: code & 255, exit: code & 255 };
    }
    case 'sleep':
      return { status: 0, sleepMs: Math.round(Number.parseFloat(args[0] ?? '0') * 1000) || 0 };
    case 'test':
      return { status: test(args, ctx) };
    case '[':
      if (args.at(-1) !== ']') return fail(`${ctx.where}: [: missing \`]'`, 2);
      return { status: test(args.slice(0, -1), ctx) };
    case 'mkdir': {
      const errors = makeDirs(ctx.fs, args);
      return errors.length === 0 ? ok() : fail(errors.join('\n'));
    }
    case 'rm': {
      const recursive = args.some((a) => /^-[a-z]*r/i.test(a));
      for (const arg of args.filter((a) => !a.startsWith('-'))) {
        const path = resolvePath(arg);
        ctx.fs.files.delete(path);
        if (!recursive) continue;
        // `rm -r dir`: everything under it goes too (the highstate script removes an old log directory).
        for (const file of [...ctx.fs.files.keys()]) if (file.startsWith(`${path}/`)) ctx.fs.files.delete(file);
        for (const dir of [...ctx.fs.dirs]) if (dir === path || dir.startsWith(`${path}/`)) ctx.fs.dirs.delete(dir);
      }
      return ok();
    }
    case 'touch':
      for (const arg of args) if (!ctx.fs.files.has(resolvePath(arg))) ctx.fs.files.set(resolvePath(arg), '');
      return ok();
    case 'cat':
    case 'tail':
    case 'head':
    case 'wc':
      return textTool(name, args, ctx);
    default:
      return undefined;
  }
}

function textTool(name: string, args: string[], ctx: Ctx): BuiltinResult {
  let count = 10;
  let unit: 'lines' | 'bytes' = 'lines';
  const files: string[] = [];
  const wc = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (name === 'wc' && /^-[clw]+$/.test(arg)) for (const c of arg.slice(1)) wc.add(c);
    else if (arg === '-n' || arg === '-c') {
      unit = arg === '-c' ? 'bytes' : 'lines';
      count = Number(args[++i]);
    } else if (/^-[nc]\d+$/.test(arg)) {
      unit = arg[1] === 'c' ? 'bytes' : 'lines';
      count = Number(arg.slice(2));
    } else if (/^-\d+$/.test(arg)) count = Number(arg.slice(1));
    else files.push(arg);
  }
  if (!Number.isFinite(count)) return fail(`${name}: invalid number of ${unit}`);
  const inputs: Array<[string | undefined, string]> = [];
  for (const file of files) {
    const text = readFile(ctx.fs, file);
    if (text === undefined) return fail(`${name}: ${file}: No such file or directory`);
    inputs.push([file, text]);
  }
  if (files.length === 0) inputs.push([undefined, ctx.stdin]);
  if (name === 'cat') return ok(inputs.map(([, t]) => t).join(''));
  if (name === 'wc') {
    const flags = wc.size === 0 ? ['l', 'w', 'c'] : ['l', 'w', 'c'].filter((f) => wc.has(f));
    return ok(
      inputs
        .map(([file, t]) => {
          const n: Record<string, number> = {
            l: (t.match(/\n/g) ?? []).length,
            w: t.split(/\s+/).filter(Boolean).length,
            c: Buffer.byteLength(t),
          };
          return `${[...flags.map((f) => String(n[f])), ...(file ? [file] : [])].join(' ')}\n`;
        })
        .join(''),
    );
  }
  const text = inputs.map(([, t]) => t).join('');
  if (unit === 'bytes')
    return ok(name === 'tail' ? text.slice(Math.max(0, text.length - count)) : text.slice(0, count));
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const kept = name === 'tail' ? lines.slice(Math.max(0, lines.length - count)) : lines.slice(0, count);
  return ok(kept.length === 0 ? '' : `${kept.join('\n')}\n`);
}

/** `test` / `[`: the unary file and string tests and the binary comparisons scripts actually use. */
function test(args: string[], ctx: Ctx): number {
  if (args[0] === '!') return test(args.slice(1), ctx) === 0 ? 1 : 0;
  if (args.length === 0) return 1;
  if (args.length === 1) return args[0] === '' ? 1 : 0;
  const [a, op, b] = args as [string, string, string | undefined];
  if (args.length === 2) {
    const path = resolvePath(op);
    const checks: Record<string, boolean> = {
      '-z': op === '',
      '-n': op !== '',
      '-f': ctx.fs.files.has(path),
      '-d': ctx.fs.dirs.has(path),
      '-e': ctx.fs.files.has(path) || ctx.fs.dirs.has(path),
      '-s': (ctx.fs.files.get(path) ?? '').length > 0,
    };
    return checks[a] ? 0 : 1;
  }
  if (op === '=' || op === '==') return a === b ? 0 : 1;
  if (op === '!=') return a !== b ? 0 : 1;
  const x = Number(a);
  const y = Number(b);
  if (!/^-?\d+$/.test(a.trim()) || !/^-?\d+$/.test((b ?? '').trim())) return 2;
  const compare: Record<string, boolean> = {
    '-eq': x === y,
    '-ne': x !== y,
    '-gt': x > y,
    '-ge': x >= y,
    '-lt': x < y,
    '-le': x <= y,
  };
  return op in compare ? (compare[op] ? 0 : 1) : 2;
}
