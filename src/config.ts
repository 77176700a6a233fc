import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { type Config, configSchema } from './config-schema.js';
import { cronProblem } from './review/cron-next.js';

export type {
  Config,
  ContainerRuntime,
  ContainerRuntimeChoice,
  DeploymentConfig,
  DeploymentKind,
  Provision,
} from './config-schema.js';
export { CONTAINER_RUNTIMES, DEPLOYMENT_KINDS } from './config-schema.js';

/** A configuration problem, told in one line that names the key and what is expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;
type Json = Record<string, unknown>;

/**
 * The one table between environment variables and config paths, read in both directions: `rawConfig` puts each
 * variable at its path, and validation errors name the variable of the path that is wrong. `file: false` marks a
 * path only the environment sets (a value in AMIBOT_CONFIG is ignored); `secret` keeps the file out of the hint.
 */
interface EnvKey {
  env: string;
  path: string;
  parse?: 'list' | 'int';
  file?: false;
  secret?: true;
}

export const ENV_TABLE: readonly EnvKey[] = [
  { env: 'SLACK_BOT_TOKEN', path: 'slack.botToken', secret: true },
  { env: 'SLACK_SIGNING_SECRET', path: 'slack.signingSecret', secret: true },
  { env: 'SLACK_APP_TOKEN', path: 'slack.appToken', secret: true },
  { env: 'SLACK_API_URL', path: 'slack.apiUrl' },
  { env: 'PORT', path: 'slack.port', parse: 'int' },
  { env: 'MONGODB_URI', path: 'mongo.dominoUri', file: false },
  { env: 'AMIBOT_STATE_MONGODB_URI', path: 'mongo.stateUri', file: false },
  { env: 'AMIBOT_OPS_CHANNELS', path: 'opsChannels', parse: 'list' },
  { env: 'AMIBOT_ANNOUNCE_CHANNEL', path: 'announceChannel' },
  { env: 'AMIBOT_ADMINS', path: 'admins', parse: 'list' },
  { env: 'AMIBOT_APPROVERS', path: 'approvers.users', parse: 'list' },
  // The deployment from the environment, used only when AMIBOT_CONFIG lists none; it also names `deployments`.
  { env: 'AMIBOT_DEPLOYMENT', path: 'deployments.0.name' },
  { env: 'AMIBOT_IMAGES', path: 'deployments.0.images', parse: 'list' },
  { env: 'AMIBOT_TEST_TIER', path: 'deployments.0.testTier' },
  { env: 'AMIBOT_PINNED_TIERS', path: 'deployments.0.pinnedTiers', parse: 'list' },
  { env: 'DOMINO_API_URL', path: 'domino.apiUrl', file: false },
  { env: 'DOMINO_API_KEY', path: 'domino.apiKey', file: false },
  { env: 'AMIBOT_SIM_SPEED', path: 'simSpeed', parse: 'int' },
  { env: 'LOG_LEVEL', path: 'logLevel' },
];

const ENV_DEPLOYMENT = 'deployments.0.';

const list = (value: string | undefined) =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);

const int = (value: string | undefined) => (value === undefined || value === '' ? undefined : Number(value));

const isTruthy = (value: string | undefined) => value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());

function readYaml(path: string, readFile: (path: string) => string): Json {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new ConfigError(`AMIBOT_CONFIG: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const value = parseYaml(text) ?? {};
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error('not a mapping');
    return value as Json;
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new ConfigError(`AMIBOT_CONFIG: ${path} is not a valid YAML mapping (${reason})`);
  }
}

/** Drops undefined values so schema defaults apply and YAML values are not overwritten by absent env vars. */
function compact<T extends Json>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function parseEnv(key: EnvKey, value: string | undefined): unknown {
  if (key.parse === 'list') return list(value);
  if (key.parse === 'int') return int(value);
  return value;
}

/** Sets `value` at a dotted path, creating the objects on the way (a fresh tree: nothing shared with the file's). */
function setPath(target: Json, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    node[part] = next !== null && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Json) } : {};
    node = node[part] as Json;
  }
  node[parts.at(-1)!] = value;
}

function getPath(source: Json, path: string): unknown {
  return path.split('.').reduce<unknown>((node, part) => (node as Json | undefined)?.[part], source);
}

/** The deployment the environment describes (sandbox: `acme` when unnamed), or none. */
function envDeployment(env: Env, sandbox: boolean): Json | undefined {
  const deployment: Json = {};
  for (const key of ENV_TABLE.filter((k) => k.path.startsWith(ENV_DEPLOYMENT))) {
    const value = parseEnv(key, env[key.env]);
    if (value !== undefined) deployment[key.path.slice(ENV_DEPLOYMENT.length)] = value;
  }
  deployment.name ??= sandbox ? 'acme' : undefined;
  return deployment.name === undefined ? undefined : compact(deployment);
}

/** Builds the raw (unvalidated) configuration: YAML file first, environment on top, through ENV_TABLE. */
export function rawConfig(env: Env, readFile: (path: string) => string): Json {
  const file = env.AMIBOT_CONFIG ? readYaml(env.AMIBOT_CONFIG, readFile) : {};
  const sandbox = isTruthy(env.AMIBOT_SANDBOX) || file.sandbox === true;
  const raw: Json = { ...file, sandbox };
  for (const key of ENV_TABLE.filter((k) => !k.path.startsWith(ENV_DEPLOYMENT))) {
    const value = parseEnv(key, env[key.env]) ?? (key.file === false ? undefined : getPath(file, key.path));
    setPath(raw, key.path, value);
  }
  const deployment = envDeployment(env, sandbox);
  raw.deployments = file.deployments ?? (deployment ? [deployment] : undefined);
  if (raw.registries !== undefined) raw.registries = withRegistryPasswords(raw.registries, env);
  return compactTree(raw);
}

/**
 * Each registry's password comes from the environment variable its `passwordEnv` names (never from the file): it is
 * read here, the one reader of the environment. A password in the file, or a named variable that is unset, is
 * reported by `registryPasswordProblems`.
 */
function withRegistryPasswords(registries: unknown, env: Env): unknown {
  const hosts = (registries as { hosts?: unknown }).hosts;
  if (!Array.isArray(hosts)) return registries;
  return {
    ...(registries as Json),
    hosts: hosts.map((entry: unknown) => {
      if (entry === null || typeof entry !== 'object') return entry;
      const { password: _fromFile, ...rest } = entry as Json;
      const name = rest.passwordEnv;
      const value = typeof name === 'string' ? env[name] : undefined;
      return value ? { ...rest, password: value } : rest;
    }),
  };
}

function registryPasswordProblems(file: Json, env: Env): string[] {
  const hosts = (file.registries as { hosts?: unknown } | undefined)?.hosts;
  if (!Array.isArray(hosts)) return [];
  return hosts.flatMap((entry: unknown, i) => {
    const e = (entry ?? {}) as Json;
    if (e.password !== undefined) {
      return [
        `registries.hosts.${i}.password in AMIBOT_CONFIG: not allowed; put the password in an environment variable and name it in passwordEnv`,
      ];
    }
    if (typeof e.passwordEnv === 'string' && !env[e.passwordEnv]) {
      return [`registries.hosts.${i}.passwordEnv: the environment variable ${e.passwordEnv} is not set`];
    }
    if (typeof e.passwordEnv === 'string' && e.username === undefined) {
      return [`registries.hosts.${i}.username: missing (required with passwordEnv)`];
    }
    return [];
  });
}

/** Drops undefined values at every object level, so schema defaults apply. */
function compactTree(value: Json): Json {
  return compact(
    Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        v !== null && typeof v === 'object' && !Array.isArray(v) ? compactTree(v as Json) : v,
      ]),
    ),
  );
}

/** The table's paths, longest first: `deployments.0.testTier` names AMIBOT_TEST_TIER, not AMIBOT_DEPLOYMENT. */
const ENV_PATHS = [...ENV_TABLE].sort((a, b) => b.path.length - a.path.length);

/** The variable of a config path: the entry at or above it, else the first entry below it (`deployments`). */
function keyName(path: PropertyKey[], fromFile: boolean): string {
  const dotted = path.map(String).join('.');
  const key =
    ENV_PATHS.find((k) => dotted === k.path || dotted.startsWith(`${k.path}.`)) ??
    (dotted === '' ? undefined : ENV_TABLE.find((k) => k.path.startsWith(`${dotted}.`)));
  if (!key) return fromFile ? `${dotted} in AMIBOT_CONFIG` : dotted;
  return fromFile && key.file !== false && !key.secret ? `${key.env} (or ${dotted} in AMIBOT_CONFIG)` : key.env;
}

function describeIssue(issue: z.core.$ZodIssue, fromFile: boolean): string {
  const key = keyName(issue.path, fromFile);
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return `${key}: missing (required)`;
  if (/received NaN/.test(issue.message)) return `${key}: expected a number`;
  if (issue.code === 'unrecognized_keys') return `${key || 'AMIBOT_CONFIG'}: unknown key(s) ${issue.keys.join(', ')}`;
  return `${key}: ${issue.message}`;
}

/** Checks that are about several keys at once (zod sees one value at a time). */
function crossChecks(config: Config): string[] {
  const problems: string[] = [];
  if (!config.slack.appToken && !config.slack.signingSecret) {
    problems.push(
      'SLACK_SIGNING_SECRET: missing (required for the HTTP receiver; or set SLACK_APP_TOKEN for Socket Mode)',
    );
  }
  if (!config.sandbox && !config.mongo.dominoUri) {
    problems.push("MONGODB_URI: missing (Domino's MongoDB; or set AMIBOT_SANDBOX=1 to try the bot on the simulator)");
  }
  const names = config.deployments.map((d) => d.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) problems.push(`deployments: the name ${duplicate} is used twice`);
  // node-cron would only fail when the scheduler starts: catch a bad review schedule with the other keys.
  config.deployments.forEach((d, i) => {
    const problem = cronProblem(d.review.schedule, d.review.timeZone ?? config.timeZone);
    if (problem) problems.push(`deployments.${i}.review.schedule: ${problem}`);
  });
  return problems;
}

/**
 * Reads and validates the configuration. Throws ConfigError with one line naming every
 * bad key and what is expected; never a stack trace for the operator.
 */
export function loadConfig(
  env: Env = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): Config {
  const raw = rawConfig(env, readFile);
  const parsed = configSchema.safeParse(raw);
  const fromFile = Boolean(env.AMIBOT_CONFIG);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => describeIssue(issue, fromFile));
    throw new ConfigError(`Invalid configuration: ${[...new Set(lines)].join('; ')}`);
  }
  const file = env.AMIBOT_CONFIG ? readYaml(env.AMIBOT_CONFIG, readFile) : {};
  const problems = [...registryPasswordProblems(file, env), ...crossChecks(parsed.data)];
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return deepFreeze(parsed.data);
}

/** Freezes every nested object and array: a validated config is never changed afterwards (a change is a new config). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The deployment a command names, or the only one configured. */
export function findDeployment(config: Config, name: string | undefined) {
  if (name === undefined) return config.deployments.length === 1 ? config.deployments[0] : undefined;
  return config.deployments.find((d) => d.name === name);
}

/** Settings of `npm run demo` (the only other entry point that reads the environment). */
export function loadDemoSettings(env: Env = process.env): { speed: number } {
  const raw = env.AMIBOT_SIM_SPEED;
  if (raw === undefined || raw === '') return { speed: 600 };
  const speed = Number(raw);
  if (!Number.isFinite(speed) || speed <= 0) {
    throw new ConfigError(
      `Invalid configuration: AMIBOT_SIM_SPEED: expected a positive number (got "${raw.slice(0, 20)}")`,
    );
  }
  return { speed };
}
