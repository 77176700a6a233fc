import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { type Config, configSchema } from './config-schema.js';
import { cronProblem } from './review/cron-next.js';

export type { Config, DeploymentConfig } from './config-schema.js';

/** A configuration problem, told in one line that names the key and what is expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;
type Json = Record<string, unknown>;

/** Which environment variable feeds which config path: used to name the key in errors. */
const ENV_KEYS: Record<string, string> = {
  'slack.botToken': 'SLACK_BOT_TOKEN',
  'slack.signingSecret': 'SLACK_SIGNING_SECRET',
  'slack.appToken': 'SLACK_APP_TOKEN',
  'slack.apiUrl': 'SLACK_API_URL',
  'slack.port': 'PORT',
  'mongo.dominoUri': 'MONGODB_URI',
  'mongo.stateUri': 'AMIBOT_STATE_MONGODB_URI',
  opsChannels: 'AMIBOT_OPS_CHANNELS',
  announceChannel: 'AMIBOT_ANNOUNCE_CHANNEL',
  admins: 'AMIBOT_ADMINS',
  'approvers.users': 'AMIBOT_APPROVERS',
  'deployments.0.name': 'AMIBOT_DEPLOYMENT',
  'deployments.0.images': 'AMIBOT_IMAGES',
  'deployments.0.testTier': 'AMIBOT_TEST_TIER',
  'deployments.0.pinnedTiers': 'AMIBOT_PINNED_TIERS',
  deployments: 'AMIBOT_DEPLOYMENT',
  'domino.apiUrl': 'DOMINO_API_URL',
  'domino.apiKey': 'DOMINO_API_KEY',
  simSpeed: 'AMIBOT_SIM_SPEED',
  logLevel: 'LOG_LEVEL',
};

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

function envDeployment(env: Env, sandbox: boolean): Json | undefined {
  const name = env.AMIBOT_DEPLOYMENT ?? (sandbox ? 'acme' : undefined);
  if (name === undefined) return undefined;
  return compact({
    name,
    images: list(env.AMIBOT_IMAGES),
    testTier: env.AMIBOT_TEST_TIER,
    pinnedTiers: list(env.AMIBOT_PINNED_TIERS),
  });
}

/** Builds the raw (unvalidated) configuration: YAML file first, environment on top. */
export function rawConfig(env: Env, readFile: (path: string) => string): Json {
  const file = env.AMIBOT_CONFIG ? readYaml(env.AMIBOT_CONFIG, readFile) : {};
  const sandbox = isTruthy(env.AMIBOT_SANDBOX) || file.sandbox === true;
  const fileSlack = (file.slack ?? {}) as Json;
  const fileMongo = (file.mongo ?? {}) as Json;
  const fileDomino = (file.domino ?? {}) as Json;
  const fileApprovers = (file.approvers ?? {}) as Json;
  const deployment = envDeployment(env, sandbox);

  return compact({
    ...file,
    sandbox,
    slack: compact({
      ...fileSlack,
      botToken: env.SLACK_BOT_TOKEN ?? fileSlack.botToken,
      signingSecret: env.SLACK_SIGNING_SECRET ?? fileSlack.signingSecret,
      appToken: env.SLACK_APP_TOKEN ?? fileSlack.appToken,
      apiUrl: env.SLACK_API_URL ?? fileSlack.apiUrl,
      port: int(env.PORT) ?? fileSlack.port,
    }),
    mongo: compact({ ...fileMongo, dominoUri: env.MONGODB_URI, stateUri: env.AMIBOT_STATE_MONGODB_URI }),
    opsChannels: list(env.AMIBOT_OPS_CHANNELS) ?? file.opsChannels,
    announceChannel: env.AMIBOT_ANNOUNCE_CHANNEL ?? file.announceChannel,
    admins: list(env.AMIBOT_ADMINS) ?? file.admins,
    approvers: compact({ ...fileApprovers, users: list(env.AMIBOT_APPROVERS) ?? fileApprovers.users }),
    deployments: file.deployments ?? (deployment ? [deployment] : undefined),
    domino: compact({ ...fileDomino, apiUrl: env.DOMINO_API_URL, apiKey: env.DOMINO_API_KEY }),
    simSpeed: int(env.AMIBOT_SIM_SPEED) ?? file.simSpeed,
    logLevel: env.LOG_LEVEL ?? file.logLevel,
  });
}

/** The table's paths, longest first: `deployments.0.testTier` names AMIBOT_TEST_TIER, not `deployments`'s key. */
const ENV_PATHS = Object.entries(ENV_KEYS).sort(([a], [b]) => b.length - a.length);

function keyName(path: PropertyKey[], fromFile: boolean): string {
  const dotted = path.map(String).join('.');
  for (const [prefix, envKey] of ENV_PATHS) {
    if (dotted === prefix || dotted.startsWith(`${prefix}.`)) {
      return fromFile && !['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'].includes(envKey)
        ? `${envKey} (or ${dotted} in AMIBOT_CONFIG)`
        : envKey;
    }
  }
  return fromFile ? `${dotted} in AMIBOT_CONFIG` : dotted;
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
  const problems = crossChecks(parsed.data);
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
