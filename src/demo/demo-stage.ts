import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryStateStore } from '../adapters/memory/memory-state-store.js';
import { type Bot, createBot } from '../bot.js';
import type { Config } from '../config.js';
import type { StateStore } from '../ports/state-store.js';
import { createSilentLogger } from '../shared/logger.js';
import type { Simulator } from '../sim/index.js';
import { createSlackRequester, type SlackRequester } from '../sim/slack-requests.js';
import { DEMO_SIGNING_SECRET } from './demo-config.js';
import type { DemoTime } from './demo-time.js';
import { type ResponseSink, startResponseSink } from './response-sink.js';

/** One bot process of the demo: the real Bolt app on a loopback port, wired to the simulator. */
export interface DemoProcess {
  bot: Bot;
  slack: SlackRequester;
  name: string;
}

export interface DemoStage {
  sim: Simulator;
  config: Config;
  /** The bot's database: shared by every process, as MongoDB would be. */
  store: StateStore;
  sink: ResponseSink;
  /** Waits until `check` yields a value, on the demo's time (demo-time.ts). */
  waitUntil: DemoTime['waitUntil'];
  /** Starts a bot process (the demo starts a second one to show crash recovery). */
  startProcess(name: string): Promise<DemoProcess>;
  close(): Promise<void>;
}

export async function createDemoStage(sim: Simulator, config: Config, time: DemoTime): Promise<DemoStage> {
  const store = createMemoryStateStore();
  const sink = await startResponseSink(sim.chat);
  const processes: DemoProcess[] = [];
  return {
    sim,
    config,
    store,
    sink,
    waitUntil: time.waitUntil,
    async startProcess(name) {
      const bot = createBot({
        config,
        logger: createSilentLogger(),
        ec2: sim.ec2,
        ssm: sim.ssm,
        store,
        clock: sim.clock,
        ...(time.wallClock ? { wallClock: time.wallClock } : {}),
        // On virtual time the sandbox notes say so, instead of the configured speed no clock runs at.
        simTime: time.speed ?? 'virtual',
        chat: sim.chat,
        tiers: sim.dominoTiers,
        tierUsers: sim.tierUsers,
        // The registry's manifests: `/ami bake --images auto` weighs each image's layers against its runs.
        registry: sim.registry,
        dominoApi: sim.dominoApi,
        eks: sim.eks,
        launchTemplates: sim.launchTemplates,
        owner: name,
        botIds: { botId: 'B0DEMO', botUserId: 'U0AMIBOT' },
      });
      time.adopt(bot, store);
      const server = (await bot.start(0)) as Server;
      const { port } = server.address() as AddressInfo;
      const process: DemoProcess = {
        bot,
        slack: createSlackRequester(`http://127.0.0.1:${port}`, DEMO_SIGNING_SECRET),
        name,
      };
      processes.push(process);
      return process;
    },
    async close() {
      for (const process of processes.splice(0)) await process.bot.stop();
      await sink.close();
      time.close();
    },
  };
}
