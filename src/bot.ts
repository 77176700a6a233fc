import { hostname } from 'node:os';
import type { App } from '@slack/bolt';
import { createSandboxChat } from './adapters/slack/sandbox-chat.js';
import { createSlackChat } from './adapters/slack/slack-chat.js';
import type { BakeDeps } from './bake/bake-context.js';
import { type BakeRunner, createBakeRunner } from './bake/bake-runner.js';
import { createBakeStatus } from './bake/bake-status.js';
import { createCancelBake } from './bake/cancel-bake.js';
import { createHomeTab } from './bake/home-tab.js';
import { createStartBake } from './bake/start-bake.js';
import type { Config, DeploymentConfig } from './config.js';
import { AppError } from './errors.js';
import { inventorySummary } from './lifecycle/inventory-summary.js';
import { createProtectAfterApply } from './lifecycle/protect-after-apply.js';
import { createPruneFlow } from './lifecycle/prune-flow.js';
import { createShowImages } from './lifecycle/show-images.js';
import type { ChatPort } from './ports/chat.js';
import type { Clock, SimTime } from './ports/clock.js';
import type { DominoApiPort, DominoTiersPort, TierUsersPort } from './ports/domino.js';
import type { Ec2Port } from './ports/ec2.js';

import type { EksPort } from './ports/eks.js';
import type { LaunchTemplatePort } from './ports/launch-templates.js';

import type { RegistryPort } from './ports/registry.js';

import type { SsmPort } from './ports/ssm.js';
import type { StateStore } from './ports/state-store.js';
import { createReviewFeature, type ReviewOptions } from './review/review-feature.js';
import { createRollout, type Rollout } from './rollout/create-rollout.js';
import { targetsFor } from './rollout/targets/targets-for.js';
import { unconfiguredDominoApi, unconfiguredTiers, unconfiguredTierUsers } from './rollout/unconfigured-ports.js';
import { createAutoBake } from './selection/auto-bake.js';
import { currentAmiImages } from './selection/current-images.js';
import type { SuggestionOutcome } from './selection/image-suggestion.js';
import { createPreviewImages } from './selection/preview-images.js';
import { servedTiers } from './selection/served-tiers.js';
import { suggestImages } from './selection/suggest-images.js';
import { type BackgroundTasks, createBackgroundTasks } from './shared/background-tasks.js';
import type { Logger } from './shared/logger.js';
import { createMetrics, type Metrics } from './shared/metrics.js';
import { createSystemClock } from './shared/system-clock.js';
import { words } from './shared/text.js';
import { createActionRouter } from './slack/action-router.js';
import { createBakePresenter } from './slack/bake-presenter.js';
import { createSlackApp } from './slack/create-app.js';
import { createDeliveryGate } from './slack/delivery-gate.js';
import { registerHomeTab } from './slack/home-listeners.js';
import { registerLifecycleActions } from './slack/lifecycle-listeners.js';
import { createLifecyclePresenter } from './slack/lifecycle-presenter.js';
import { registerListeners, type UseCases } from './slack/listeners.js';
import { registerReviewActions } from './slack/review-listeners.js';
import { createSlackReviewNotifier } from './slack/review-notifier.js';
import { registerRolloutActions } from './slack/rollout-listeners.js';
import { createRolloutPresenter } from './slack/rollout-presenter.js';
import { createSelectionPresenter } from './slack/selection-presenter.js';

export interface BotOptions {
  config: Config;
  logger: Logger;
  ec2: Ec2Port;
  ssm: SsmPort;
  store: StateStore;
  clock: Clock;
  /**
   * Wall time, for what is about processes and Slack's rate limits rather than the bake's timeline (the
   * change-planning lock, the bake card's update pacing). Default: the system clock; the sandbox's scaled clock
   * must not drive these.
   */
  wallClock?: Clock;
  /** Defaults to Slack's Web API through the Bolt app's client. */
  chat?: ChatPort;
  /** Lease owner; unique per process. */
  owner?: string;
  botIds?: { botId: string; botUserId: string };
  /**
   * The workspace (and Enterprise Grid org) the bot is installed in: buttons from elsewhere are refused. Default:
   * what `auth.test` says at start; with `botIds` (no auth.test: tests, the demo) unknown and not checked.
   */
  installation?: { teamId: string; enterpriseId?: string };
  processBeforeResponse?: boolean;
  /** Sandbox: how simulated time runs, for the time note (default `config.simSpeed`, the scaled clock's speed). */
  simTime?: SimTime;
  /** Prometheus metrics (GET /metrics); a fresh registry when omitted. */
  metrics?: Metrics;
  /** Domino's tiers and their users, for the review report (and the rollout). */
  tiers?: DominoTiersPort;
  tierUsers?: TierUsersPort;
  /** Domino's REST API, for the AMI test job. */
  dominoApi?: DominoApiPort;
  /** EKS node groups and their launch templates: the rollout targets of an `eks-node-groups` deployment. */
  eks?: EksPort;
  launchTemplates?: LaunchTemplatePort;
  /** Container registries' manifests, for `/ami bake --images auto` (without it: the configured list). */
  registry?: RegistryPort;
  review?: ReviewOptions;
  /** Sandbox: when the simulated world began (bakes created before it cannot resume). */
  simWorldStartedAt?: Date;
}

export interface Bot {
  app: App;
  chat: ChatPort;
  runner: BakeRunner;
  useCases: UseCases;
  review: ReturnType<typeof createReviewFeature>;
  /** Test, plan, approve, apply, revert, drain; `tasks` holds work running after a Slack request (applies, tests). */
  rollout: Rollout & { tasks: BackgroundTasks };
  /** Starts receiving Slack requests and resumes bakes left by a crash; returns the HTTP server, if any. */
  start(port?: number): Promise<unknown>;
  /** Stops taking requests, lets in-flight steps stop and releases leases. */
  stop(): Promise<void>;
}

/** Wiring only: adapters in, use cases and listeners out. Used by main.ts, the demo and the tests. */
export function createBot(options: BotOptions): Bot {
  const { config, logger, store, clock } = options;
  const wallClock = options.wallClock ?? createSystemClock();
  const metrics = options.metrics ?? createMetrics();
  // What the sandbox's time note says: the configured speed, unless the caller runs the bot on other time.
  const simTime = options.simTime ?? config.simSpeed;
  const app = createSlackApp({
    config,
    simTime,
    logger,
    metrics,
    isReady: () => store.ping(),
    gate: createDeliveryGate({ deliveries: store.deliveries, logger }),
    ...(options.botIds ? { botIds: options.botIds } : {}),
    ...(options.processBeforeResponse === undefined ? {} : { processBeforeResponse: options.processBeforeResponse }),
  });
  const slackChat = options.chat ?? createSlackChat({ client: app.client, logger, metrics });
  const chat = config.sandbox ? createSandboxChat(slackChat, { speed: simTime }) : slackChat;
  const owner = options.owner ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const bakePresenter = createBakePresenter();
  const deps: BakeDeps = {
    ec2: options.ec2,
    ssm: options.ssm,
    chat,
    presenter: bakePresenter,
    store,
    clock,
    wallClock,
    logger,
    config,
    metrics,
    // The cleanup checks that no tier points at an image before deregistering it.
    ...(options.tiers ? { tiers: options.tiers } : {}),
  };
  const runner = createBakeRunner(deps, {
    owner,
    ...(options.simWorldStartedAt ? { simWorldStartedAt: options.simWorldStartedAt } : {}),
  });
  const startBake = createStartBake({ config, store, chat, presenter: bakePresenter, clock, logger, runner });
  const { registry } = options;
  const targetDeps = {
    config,
    clock,
    ec2: options.ec2,
    tiers: options.tiers ?? unconfiguredTiers(),
    domino: options.dominoApi ?? unconfiguredDominoApi(),
    ...(options.eks ? { eks: options.eks } : {}),
    ...(options.launchTemplates ? { launchTemplates: options.launchTemplates } : {}),
  };
  // Without Domino's tiers or EKS nothing says which AMI the standard targets run: no diff.
  const currentImages = async (deployment: DeploymentConfig) =>
    options.tiers || options.eks ? currentAmiImages({ ...targetDeps, store }, deployment) : undefined;
  const suggest = async (
    deployment: DeploymentConfig,
    current?: { imageId?: string; images: readonly string[] },
  ): Promise<SuggestionOutcome> =>
    registry
      ? suggestImages(
          {
            registry,
            usage: options.tierUsers ?? unconfiguredTierUsers(),
            ec2: options.ec2,
            // Which tiers' runs start on the AMI, as a rollout would classify them now (none to ask: all but pinned).
            ...(options.tiers || options.eks
              ? { servedTiers: (d: DeploymentConfig) => servedTiers(targetDeps, d) }
              : {}),
            logger,
          },
          deployment,
          current,
        )
      : {
          kind: 'fallback',
          reason: words('no container registry client is configured.'),
          code: 'registry_unconfigured',
          images: deployment.images,
        };
  const selectionPresenter = createSelectionPresenter();
  const startAutoBake = createAutoBake({
    config,
    clock,
    logger,
    presenter: selectionPresenter,
    startBake,
    suggest,
    currentImages,
  });
  const previewImages = createPreviewImages({ config, logger, presenter: selectionPresenter, suggest, currentImages });
  const lifecycleDeps = {
    config,
    store,
    ec2: options.ec2,
    tiers: options.tiers ?? unconfiguredTiers(),
    // An EKS deployment's node groups are its rollout targets: their AMIs are references like tiers'.
    ...(options.eks ? { eks: options.eks } : {}),
    ...(options.launchTemplates ? { launchTemplates: options.launchTemplates } : {}),
    ...(options.dominoApi ? { domino: options.dominoApi } : {}),
    chat,
    clock,
    logger,
    metrics,
  };
  // Only with what tells which AMIs are in use (Domino's tiers, or EKS node groups): else the inventory cannot.
  const amiInventory =
    options.tiers || options.eks ? (d: DeploymentConfig) => inventorySummary(lifecycleDeps, d) : undefined;
  const review = createReviewFeature({
    config,
    store,
    notifier: createSlackReviewNotifier({ chat, logger }),
    clock,
    logger,
    ec2: options.ec2,
    owner,
    startBake,
    // Only with Domino's tiers: without them the inventory cannot tell what is in use.
    ...(amiInventory ? { amiInventory } : {}),
    ...(options.tiers ? { tiers: options.tiers } : {}),
    // An EKS deployment's review lists its node groups by AMI, as the rollout sees them (listing reads no runs).
    ...(options.eks ? { targets: (d: DeploymentConfig) => targetsFor(targetDeps, d.name).list() } : {}),
    ...(options.tierUsers ? { tierUsers: options.tierUsers } : {}),
    // Only with a registry client: without one the report would only say so, every quarter.
    ...(registry
      ? {
          startAutoBake,
          suggestImages: async (deployment: DeploymentConfig) =>
            suggest(deployment, await currentImages(deployment).catch(() => undefined)),
        }
      : {}),
    ...(options.review ? { options: options.review } : {}),
  });
  const tasks = createBackgroundTasks(logger);
  const rollout = createRollout({
    config,
    store,
    chat,
    presenter: createRolloutPresenter(config),
    clock,
    wallClock,
    logger,
    ec2: options.ec2,
    tiers: options.tiers ?? unconfiguredTiers(),
    tierUsers: options.tierUsers ?? unconfiguredTierUsers(),
    domino: options.dominoApi ?? unconfiguredDominoApi(),
    ...(options.eks ? { eks: options.eks } : {}),
    ...(options.launchTemplates ? { launchTemplates: options.launchTemplates } : {}),
    tasks,
    owner,
    metrics,
    // The lifecycle listens for applied changes (rollout/ does not import it): protect what targets use now.
    onApplied: [createProtectAfterApply(lifecycleDeps)],
  });
  const lifecyclePresenter = createLifecyclePresenter();
  const useCases: UseCases = {
    startBake,
    startAutoBake,
    previewImages,
    cancelBake: createCancelBake({ store, clock, presenter: bakePresenter, runner }),
    bakeStatus: createBakeStatus({ store, clock, chat, presenter: bakePresenter, sandbox: config.sandbox }),
    ...review.useCases,
    ...rollout.useCases,
    showImages: createShowImages({ ...lifecycleDeps, presenter: lifecyclePresenter }),
    ...createPruneFlow({ ...lifecycleDeps, chat, presenter: lifecyclePresenter, tasks }),
  };
  let installation: { teamId?: string; enterpriseId?: string } = options.installation ?? {};
  const actions = createActionRouter(app, {
    installation: () => installation,
    opsChannels: config.opsChannels,
    logger,
  });
  registerListeners(app, actions, { config, useCases, logger });
  registerReviewActions(actions, { config, useCases, logger });
  registerHomeTab(app, {
    config,
    homeTab: createHomeTab({ config, simTime, store, clock, logger, ...(amiInventory ? { amiInventory } : {}) }),
    logger,
  });
  registerRolloutActions(actions, { config, useCases, logger });
  registerLifecycleActions(actions, { useCases, logger });
  let started = false;
  return {
    app,
    chat,
    runner,
    useCases,
    review,
    rollout: { ...rollout, tasks },
    async start(port) {
      const unreachable = (error: unknown) => {
        throw new AppError(
          'slack_unreachable',
          `Slack did not accept the bot token or could not be reached (${(error as Error).message.split('\n')[0]}). Check SLACK_BOT_TOKEN and SLACK_API_URL.`,
        );
      };
      // Verify the token first (auth.test): a bad token or an unreachable Slack is one clear error.
      await app.init().catch(unreachable);
      if (!options.installation && !options.botIds) {
        // Bolt keeps its auth.test answer to itself: ask once more for the workspace buttons must come from.
        const auth = await app.client.auth.test().catch(unreachable);
        installation = {
          ...(auth.team_id ? { teamId: auth.team_id } : {}),
          ...(auth.enterprise_id ? { enterpriseId: auth.enterprise_id } : {}),
        };
      }
      // Background work does not wait for Slack's socket: a bake left by a crash resumes at once.
      runner.start();
      await review.start();
      rollout.scheduler.start();
      const server = await app.start(port ?? config.slack.port);
      started = true;
      return server;
    },
    async stop() {
      if (started) await app.stop();
      started = false;
      await review.stop();
      await rollout.scheduler.stop();
      await tasks.stop();
      await runner.stop();
    },
  };
}
