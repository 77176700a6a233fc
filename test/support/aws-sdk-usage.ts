// Static inventory of the AWS API calls the source can make: every `…Command`, `paginate…` and `waitUntil…`
// imported as a value from an @aws-sdk client package, mapped to its IAM action. Anything that cannot be
// mapped statically (a namespace or default import, a dynamic import, the aggregated `EC2`/`SSM` clients, an
// unknown client package or waiter) is reported as a problem instead of being silently skipped.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** IAM service prefix of each SDK client package the bot may use. */
export const IAM_PREFIX_BY_PACKAGE: Record<string, string> = {
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-eks': 'eks',
  '@aws-sdk/client-ssm': 'ssm',
};

/** Waiters poll one API; the IAM action is that API's. */
const WAITER_ACTIONS: Record<string, string> = {
  'ec2:ImageAvailable': 'ec2:DescribeImages',
  'ec2:ImageExists': 'ec2:DescribeImages',
  'ec2:InstanceExists': 'ec2:DescribeInstances',
  'ec2:InstanceRunning': 'ec2:DescribeInstances',
  'ec2:InstanceStopped': 'ec2:DescribeInstances',
  'ec2:InstanceTerminated': 'ec2:DescribeInstances',
  'ec2:SnapshotCompleted': 'ec2:DescribeSnapshots',
  'ssm:CommandExecuted': 'ssm:GetCommandInvocation',
};

/** Aggregated clients expose every operation as a method: their calls cannot be inventoried by import. */
const AGGREGATED_CLIENTS = new Set(['EC2', 'EKS', 'SSM']);

export interface AwsCall {
  /** Repository-relative source file. */
  file: string;
  /** The imported name, e.g. DescribeInstancesCommand. */
  name: string;
  /** The IAM action it needs, e.g. ec2:DescribeInstances. */
  action: string;
}

export interface AwsSdkUsage {
  calls: AwsCall[];
  /** Files that import anything from @aws-sdk. */
  files: string[];
  problems: string[];
}

export function listSourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listSourceFiles(path);
    return /\.(ts|mts|cts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const STATIC_IMPORT = /\bimport\s+(type\s+)?([\s\S]*?)\s+from\s+['"](@aws-sdk\/[^'"]+)['"]/g;
const OTHER_FORMS = [
  { pattern: /\bimport\s*\(\s*['"]@aws-sdk\//, what: 'a dynamic import of @aws-sdk' },
  { pattern: /\brequire\s*\(\s*['"]@aws-sdk\//, what: 'a require() of @aws-sdk' },
  { pattern: /\bexport\s+[^;]*?\bfrom\s+['"]@aws-sdk\//, what: 'a re-export from @aws-sdk' },
];

function actionFor(prefix: string, name: string): { action?: string; problem?: string } {
  const command = /^(\w+)Command$/.exec(name);
  if (command) return { action: `${prefix}:${command[1]}` };
  const paginator = /^paginate(\w+)$/.exec(name);
  if (paginator) return { action: `${prefix}:${paginator[1]}` };
  const waiter = /^wait(?:Until|For)(\w+)$/.exec(name);
  if (waiter) {
    const action = WAITER_ACTIONS[`${prefix}:${waiter[1]}`];
    return action ? { action } : { problem: `waiter ${name} has no known IAM action: add it to WAITER_ACTIONS` };
  }
  if (AGGREGATED_CLIENTS.has(name)) {
    return { problem: `the aggregated client ${name} can call any operation: use ${name}Client and Commands` };
  }
  return {};
}

/** Scans `dir` (the source tree) for AWS SDK usage; `root` only shortens the file names in the result. */
export function scanAwsSdkUsage(dir: string, root: string): AwsSdkUsage {
  const usage: AwsSdkUsage = { calls: [], files: [], problems: [] };
  for (const path of listSourceFiles(dir)) {
    const text = readFileSync(path, 'utf8');
    if (!text.includes('@aws-sdk/')) continue;
    const file = relative(root, path);
    usage.files.push(file);
    for (const { pattern, what } of OTHER_FORMS) {
      if (pattern.test(text)) usage.problems.push(`${file}: ${what} cannot be inventoried`);
    }
    for (const match of text.matchAll(STATIC_IMPORT)) {
      const [, typeOnly, clause = '', pkg = ''] = match;
      if (typeOnly) continue;
      const prefix = IAM_PREFIX_BY_PACKAGE[pkg];
      if (!clause.trim().startsWith('{')) {
        usage.problems.push(`${file}: "import ${clause.trim()} from '${pkg}'" hides which operations are called`);
        continue;
      }
      const names = clause
        .replace(/[{}]/g, '')
        .split(',')
        .map((spec) => spec.trim())
        .filter((spec) => spec !== '' && !spec.startsWith('type '))
        .map((spec) => {
          const [name = '', local = name] = spec.split(/\s+as\s+/).map((part) => part.trim());
          return { name, local };
        });
      for (const { name, local } of names) {
        if (!prefix) {
          if (/^[a-z]/.test(name) || /Command$|Client$/.test(name)) {
            usage.problems.push(`${file}: ${name} from ${pkg}, a package with no IAM mapping in IAM_PREFIX_BY_PACKAGE`);
          }
          continue;
        }
        const { action, problem } = actionFor(prefix, name);
        if (problem) usage.problems.push(`${file}: ${problem}`);
        if (!action) continue;
        const used = name.endsWith('Command')
          ? text.includes(`new ${local}(`)
          : new RegExp(`\\b${local}\\(`).test(text);
        if (!used) usage.problems.push(`${file}: imports ${name} but never calls it`);
        usage.calls.push({ file, name, action });
      }
    }
  }
  return usage;
}
