import { hostname } from 'node:os';
import type { App } from '@slack/bolt';
import { createSlackChat } from './adapters/slack/slack-chat.js';
import type { BakeDeps } from './bake/bake-context.js';
import { type BakeRunner, createBakeRunner } from './bake/bake-runner.js';
import { createBakeStatus } from './bake/bake-status.js';
import { createCancelBake } from './bake/cancel-bake.js';
import { createStartBake } from './bake/start-bake.js';
import type { Config } from './config.js';
import type { ChatPort, Clock, Ec2Port, SsmPort, StateStore } from './ports.js';
import type { Logger } from './shared/logger.js';
import { createSlackApp } from './slack/create-app.js';
import { registerListeners, type UseCases } from './slack/listeners.js';

export interface BotOptions {
  config: Config;
  logger: Logger;
  ec2: Ec2Port;
  ssm: SsmPort;
  store: StateStore;
  clock: Clock;
  /** Defaults to Slack's Web API through the Bolt app's client. */
  chat?: ChatPort;
  /** Lease owner; unique per process. */
  owner?: string;
  botIds?: { botId: string; botUserId: string };
  processBeforeResponse?: boolean;
}

export interface Bot {
  app: App;
  chat: ChatPort;
  runner: BakeRunner;
  useCases: UseCases;
  /** Starts receiving Slack requests and resumes bakes left by a crash; returns the HTTP server, if any. */
  start(port?: number): Promise<unknown>;
  /** Stops taking requests, lets in-flight steps stop and releases leases. */
  stop(): Promise<void>;
}

/** Wiring only: adapters in, use cases and listeners out. Used by main.ts, the demo and the tests. */
export function createBot(options: BotOptions): Bot {
  const { config, logger, store, clock } = options;
  const app = createSlackApp({
    config,
    logger,
    isReady: () => store.ping(),
    ...(options.botIds ? { botIds: options.botIds } : {}),
    ...(options.processBeforeResponse === undefined ? {} : { processBeforeResponse: options.processBeforeResponse }),
  });
  const chat = options.chat ?? createSlackChat({ client: app.client, clock, logger });
  const owner = options.owner ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const deps: BakeDeps = { ec2: options.ec2, ssm: options.ssm, chat, store, clock, logger, config };
  const runner = createBakeRunner(deps, { owner });
  const useCases: UseCases = {
    startBake: createStartBake({ config, store, chat, clock, logger, runner }),
    cancelBake: createCancelBake({ store, clock, runner }),
    bakeStatus: createBakeStatus({ store, clock, chat, sandbox: config.sandbox }),
  };
  registerListeners(app, { config, useCases, logger });
  let started = false;
  return {
    app,
    chat,
    runner,
    useCases,
    async start(port) {
      const server = await app.start(port ?? config.slack.port);
      started = true;
      runner.start();
      return server;
    },
    async stop() {
      if (started) await app.stop();
      started = false;
      await runner.stop();
    },
  };
}
