import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, type CustomRoute } from '@slack/bolt';
import { createHttpFetch } from '../adapters/slack/http-fetch.js';
import { createSandboxResponseFetch } from '../adapters/slack/sandbox-chat.js';
import type { Config } from '../config.js';
import type { SimTime } from '../ports/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from '../shared/metrics.js';
import { toBoltLogger } from './bolt-logger.js';
import type { DeliveryGate } from './delivery-gate.js';
import { createGuardedHttpReceiver } from './http-edge.js';
import { createGuardedSocketReceiver } from './socket-edge.js';

export interface SlackAppOptions {
  config: Config;
  /** Sandbox: how simulated time runs, for the note on ephemeral answers (default `config.simSpeed`). */
  simTime?: SimTime;
  logger: Logger;
  /** /readyz answers 200 only while this resolves true (e.g. MongoDB answers). */
  isReady: () => Promise<boolean>;
  /** Tests: skip `auth.test` at construction and answer only after listeners ran. */
  botIds?: { botId: string; botUserId: string };
  processBeforeResponse?: boolean;
  /** Served on GET /metrics (Prometheus text format). */
  metrics?: Metrics;
  /** Replays, retries and deliveries to several replicas run once (none: every delivery runs). */
  gate?: DeliveryGate;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function healthRoutes(isReady: () => Promise<boolean>, metrics?: Metrics): CustomRoute[] {
  const metricsRoute: CustomRoute[] = metrics
    ? [
        {
          path: '/metrics',
          method: ['GET'],
          handler: (_req: IncomingMessage, res: ServerResponse) => {
            metrics.registry
              .metrics()
              .then((text) => {
                res.writeHead(200, { 'content-type': metrics.registry.contentType });
                res.end(text);
              })
              .catch(() => json(res, 500, { status: 'metrics unavailable' }));
          },
        },
      ]
    : [];
  return [
    ...metricsRoute,
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) => json(res, 200, { status: 'ok' }),
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        isReady()
          .then((ready) => json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready' }))
          .catch(() => json(res, 503, { status: 'not ready' }));
      },
    },
  ];
}

/**
 * The Bolt app: HTTP receiver on PORT (/slack/events), or Socket Mode when SLACK_APP_TOKEN is set
 * (no public URL needed inside a private VPC). Health routes are served in both modes.
 */
export function createSlackApp(options: SlackAppOptions): App {
  const { config } = options;
  const slack = config.slack;
  const logger = toBoltLogger(options.logger);
  const customRoutes = healthRoutes(options.isReady, options.metrics);
  const edge = { logger: options.logger, ...(options.gate ? { gate: options.gate } : {}) };
  const common = {
    token: slack.botToken,
    // auth.test runs in bot.start() (app.init), where its failure becomes one clear line.
    deferInitialization: true,
    logger,
    clientOptions: {
      ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
      // 429s come back to our ChatPort, which waits Retry-After itself (see slack-chat.ts).
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
      // Used by respond() (response_url) too: a keep-alive node:http(s) POST instead of the built-in fetch. In
      // sandbox mode the ephemeral answers say they are a sandbox on simulated time, as posted messages do.
      fetch: config.sandbox
        ? createSandboxResponseFetch(createHttpFetch(), { speed: options.simTime ?? config.simSpeed })
        : createHttpFetch(),
    },
    // Known bot ids (tests, the demo): no auth.test round trip.
    ...(options.botIds ? { ...options.botIds, tokenVerificationEnabled: false } : {}),
  };
  // Our own receivers: each checks what arrives before Bolt reads it (http-edge.ts, socket-edge.ts).
  if (slack.appToken) {
    const receiver = createGuardedSocketReceiver(
      {
        appToken: slack.appToken,
        logger,
        customRoutes,
        // As Bolt's own Socket Mode receiver: its client calls apps.connections.open with the app's client options.
        installerOptions: { port: slack.port, clientOptions: common.clientOptions },
      },
      edge,
    );
    return new App({ ...common, socketMode: true, appToken: slack.appToken, receiver });
  }
  const signingSecret = slack.signingSecret ?? '';
  const receiver = createGuardedHttpReceiver(
    {
      signingSecret,
      port: slack.port,
      customRoutes,
      logger,
      processBeforeResponse: options.processBeforeResponse ?? false,
    },
    { ...edge, signingSecret },
  );
  return new App({ ...common, receiver });
}
