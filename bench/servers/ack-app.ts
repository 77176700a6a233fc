// One Slack app under test for the ack benchmark, in its own process (as in production):
//   real — ami-bot's createBot: the Bolt HTTP receiver WITHOUT processBeforeResponse (the HTTP response is the
//          ack), every listener and use case, the simulator behind the AWS ports, the in-memory state store;
//   bare — a minimal Bolt app with one no-op command and one no-op button: the floor Bolt itself sets.
// Usage: node --import tsx bench/servers/ack-app.ts real|bare <sink url>
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { createMemoryStateStore } from '../../src/adapters/memory/memory-state-store.js';
import { createBot } from '../../src/bot.js';
import { loadConfig } from '../../src/config.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { createSimulator } from '../../src/sim/index.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { exitWithParent, ready } from '../lib/child.js';
import { BENCH_ADMIN, BENCH_BOT_IDS, BENCH_CHANNEL, BENCH_SECRET, BENCH_TOKEN } from '../lib/fixtures.js';

const [mode = 'real', sinkUrl = 'http://127.0.0.1:9'] = process.argv.slice(2);
const token = BENCH_TOKEN;
const botIds = BENCH_BOT_IDS;

async function startReal(): Promise<{ server: Server; stop: () => Promise<void> }> {
  const config = loadConfig(
    {
      SLACK_BOT_TOKEN: token,
      SLACK_SIGNING_SECRET: BENCH_SECRET,
      SLACK_API_URL: `${sinkUrl}/api/`,
      AMIBOT_OPS_CHANNELS: BENCH_CHANNEL,
      AMIBOT_ADMINS: BENCH_ADMIN,
      AMIBOT_DEPLOYMENT: 'acme',
      // Only main.ts connects to it; the bench gives the bot an in-memory state store.
      MONGODB_URI: 'mongodb://127.0.0.1:1/unused',
      LOG_LEVEL: 'silent',
    },
    () => '',
  );
  const sim = createSimulator({ speed: 60, write: () => undefined });
  const bot = createBot({
    config,
    logger: createSilentLogger(),
    ec2: sim.ec2,
    ssm: sim.ssm,
    clock: sim.clock,
    store: createMemoryStateStore(),
    tiers: sim.dominoTiers,
    tierUsers: sim.tierUsers,
    botIds,
    processBeforeResponse: false,
  });
  const server = (await bot.start(0)) as Server;
  return { server, stop: () => bot.stop() };
}

async function startBare(): Promise<{ server: Server; stop: () => Promise<void> }> {
  const app = new App({
    token,
    signingSecret: BENCH_SECRET,
    ...botIds,
    logLevel: LogLevel.ERROR,
    processBeforeResponse: false,
    clientOptions: { slackApiUrl: `${sinkUrl}/api/` },
  });
  app.command('/ami', async ({ ack }) => {
    await ack();
  });
  app.action(ACTION_IDS.cancelBake, async ({ ack }) => {
    await ack();
  });
  const server = (await app.start(0)) as Server;
  return { server, stop: () => app.stop().then(() => undefined) };
}

const started = mode === 'bare' ? await startBare() : await startReal();
started.server.keepAliveTimeout = 30_000;
ready({ port: (started.server.address() as AddressInfo).port, pid: process.pid });
exitWithParent(started.stop);
