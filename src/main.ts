import type { EC2Client } from '@aws-sdk/client-ec2';
import { createMemoryStateStore } from './adapters/memory/memory-state-store.js';
import { type Bot, createBot } from './bot.js';
import { type Config, ConfigError, deepFreeze, loadConfig } from './config.js';
import type { StateStore } from './ports/state-store.js';
import { approvalDeadlock } from './rollout/approver-capacity.js';
import { sandboxStartupNotes, sandboxWorldOptions, simClockStartAfter } from './sandbox-startup.js';
import { createLogger, type Logger } from './shared/logger.js';
import { createMetrics, type Metrics } from './shared/metrics.js';
import { installProcessGuards } from './shared/process-guard.js';
import { createSystemClock } from './shared/system-clock.js';
import type { DEMO_IDS } from './sim/index.js';

/** The bot's own database: AMIBOT_STATE_MONGODB_URI, else database `ami_bot` on Domino's server. */
async function openStateStore(config: Config): Promise<StateStore> {
  const uri = config.mongo.stateUri ?? config.mongo.dominoUri;
  if (!uri) return createMemoryStateStore();
  // Loaded only when a MongoDB is configured: sandbox mode never loads the driver (about 8 MB of resident memory).
  const { createMongoStateStore } = await import('./adapters/mongo/state-store.js');
  return createMongoStateStore({ uri, database: config.mongo.stateDatabase });
}

/**
 * Sandbox: the demo world's images, test project, test tier and pinned tier, unless the config names others.
 * Returns a new frozen config: the validated one is immutable.
 */
function withSandboxDefaults(config: Config, ids: typeof DEMO_IDS): Config {
  return deepFreeze({
    ...config,
    domino: {
      ...config.domino,
      testProjectId: config.domino.testProjectId ?? ids.testProjectId,
      testEnvironmentId: config.domino.testEnvironmentId ?? ids.environments.standard,
    },
    deployments: config.deployments.map((deployment) => ({
      ...deployment,
      images:
        deployment.images.length === 0 ? [ids.images.base, ids.images.standard, ids.images.spark] : deployment.images,
      testTier: deployment.testTier ?? ids.testTierId,
      pinnedTiers: deployment.pinnedTiers.length === 0 ? [ids.pinnedTierId] : deployment.pinnedTiers,
    })),
  });
}

async function createAdapters(loaded: Config, logger: Logger, metrics: Metrics, store: StateStore) {
  let config = loaded;
  if (config.sandbox) {
    // The simulator is loaded only in sandbox mode, the AWS SDK and Domino's MongoDB ports only outside it.
    const { createSimulator, DEMO_IDS: ids } = await import('./sim/index.js');
    config = withSandboxDefaults(config, ids);
    const start = await simClockStartAfter(store, new Date());
    // An eks-node-groups deployment gets a Domino-like cluster of node groups to roll out to (sandboxWorldOptions).
    const sim = createSimulator({ speed: config.simSpeed, start, ...sandboxWorldOptions(config) });
    return {
      config,
      simWorldStartedAt: start,
      ec2: sim.ec2,
      ssm: sim.ssm,
      clock: sim.clock,
      tiers: sim.dominoTiers,
      tierUsers: sim.tierUsers,
      dominoApi: sim.dominoApi,
      eks: sim.eks,
      launchTemplates: sim.launchTemplates,
      registry: sim.registry,
      close: async () => undefined,
    };
  }
  // Loaded only outside sandbox mode: the AWS SDK is about 50 MB of resident memory (docs/PERFORMANCE.md).
  const [
    { createAwsClients },
    { createEc2Adapter },
    { createSsmAdapter },
    { openDominoPorts },
    { createRegistryClient },
  ] = await Promise.all([
    import('./adapters/aws/aws-clients.js'),
    import('./adapters/aws/ec2-adapter.js'),
    import('./adapters/aws/ssm-adapter.js'),
    import('./adapters/domino/open-domino.js'),
    import('./adapters/registry/registry-client.js'),
  ]);
  const aws = createAwsClients({ onThrottle: (service) => metrics.awsThrottles.inc({ service }) });
  const clock = createSystemClock();
  const domino = openDominoPorts(config, clock, logger);
  const registry = createRegistryClient({
    registries: config.registries.hosts,
    timeoutMs: config.registries.timeoutSeconds * 1000,
  });
  return {
    config,
    ec2: createEc2Adapter(aws.ec2),
    ssm: createSsmAdapter(aws.ssm),
    clock,
    registry,
    ...domino,
    ...(await openEksPorts(config, aws.ec2, metrics)),
  };
}

/** EKS and launch templates, for eks-node-groups deployments only: a tier-only setup never loads the EKS SDK. */
async function openEksPorts(config: Config, ec2: EC2Client, metrics: Metrics) {
  if (!config.deployments.some((deployment) => deployment.kind === 'eks-node-groups')) return {};
  const [{ createEksClient }, { createEksAdapter }, { createLaunchTemplatesAdapter }] = await Promise.all([
    import('./adapters/aws/eks-client.js'),
    import('./adapters/aws/eks-adapter.js'),
    import('./adapters/aws/launch-templates-adapter.js'),
  ]);
  const eks = createEksClient({ onThrottle: (service) => metrics.awsThrottles.inc({ service }) });
  return { eks: createEksAdapter(eks), launchTemplates: createLaunchTemplatesAdapter(ec2) };
}

function onShutdown(bot: Bot, store: Pick<StateStore, 'close'>, logger: Logger): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing acks, releasing leases');
    // Wall time, not the Clock: exit on our own well within the pod's 45 s terminationGracePeriodSeconds, which
    // Kubernetes counts in real seconds whatever the (possibly scaled) clock says.
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    try {
      await bot.stop();
      await store.close();
      logger.info('stopped cleanly');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'unclean shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

async function main(): Promise<void> {
  let loaded: Config;
  try {
    loaded = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`ami-bot: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({ level: loaded.logLevel });
  installProcessGuards(logger, () => process.exit(1));
  const store = await openStateStore(loaded).catch((error: unknown) => {
    process.stderr.write(`ami-bot: cannot reach the bot's MongoDB (${(error as Error).message.split('\n')[0]})\n`);
    process.exit(3);
  });
  const metrics = createMetrics({ defaultMetrics: true });
  const { close: closeDomino, config, ...adapters } = await createAdapters(loaded, logger, metrics, store);
  const deadlock = approvalDeadlock(config);
  if (deadlock) logger.warn(deadlock);
  if (config.sandbox) {
    const persistent = Boolean(config.mongo.stateUri ?? config.mongo.dominoUri);
    for (const note of sandboxStartupNotes(config, persistent)) logger.warn(note);
  }
  const bot = createBot({ config, logger, store, metrics, ...adapters });
  onShutdown(bot, { close: async () => Promise.all([store.close(), closeDomino()]).then(() => undefined) }, logger);
  await bot.start();
  logger.info(
    {
      mode: config.slack.appToken ? 'socket' : 'http',
      port: config.slack.port,
      sandbox: config.sandbox,
      deployments: config.deployments.map((d) => d.name),
    },
    'ami-bot is running',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`ami-bot: failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
