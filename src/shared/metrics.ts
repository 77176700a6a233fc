import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The bot's Prometheus metrics. One registry per bot (no global state), so tests and the demo can
 * run several bots in one process. Names follow Prometheus conventions; docs/OPERATIONS.md says what
 * each means and which alerts to build on them.
 */
export interface Metrics {
  registry: Registry;
  bakes: Counter<'deployment' | 'outcome'>;
  bakeSteps: Histogram<'step' | 'outcome'>;
  approvals: Counter<'decision'>;
  applies: Counter<'kind' | 'outcome'>;
  tierUpdates: Counter<'result'>;
  slackErrors: Counter<'method' | 'error'>;
  slackRateLimited: Counter<'method'>;
  awsThrottles: Counter<'service'>;
  /** AMI lifecycle: set each time a deployment's inventory is read. */
  amis: Gauge<'deployment'>;
  snapshotGib: Gauge<'deployment'>;
  orphans: Gauge<'deployment'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'amibot_' });
  const registers = [registry];
  return {
    registry,
    bakes: new Counter({
      name: 'amibot_bakes_total',
      help: 'Bakes that ended, by deployment and outcome (succeeded, failed, cancelled).',
      labelNames: ['deployment', 'outcome'],
      registers,
    }),
    bakeSteps: new Histogram({
      name: 'amibot_bake_step_duration_seconds',
      help: 'Duration of bake steps (as the bot saw them, across restarts), by step and outcome.',
      labelNames: ['step', 'outcome'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14_400],
      registers,
    }),
    approvals: new Counter({
      name: 'amibot_approvals_total',
      help: 'Approval decisions on tier changes (approved, rejected, expired, refused).',
      labelNames: ['decision'],
      registers,
    }),
    applies: new Counter({
      name: 'amibot_applies_total',
      help: 'Tier changes applied, by kind (rollout, revert, drain) and outcome.',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    tierUpdates: new Counter({
      name: 'amibot_tier_updates_total',
      help: 'Hardware tier updates by result (applied, conflict).',
      labelNames: ['result'],
      registers,
    }),
    slackErrors: new Counter({
      name: 'amibot_slack_api_errors_total',
      help: 'Slack Web API calls that failed, by method and Slack error code.',
      labelNames: ['method', 'error'],
      registers,
    }),
    slackRateLimited: new Counter({
      name: 'amibot_slack_rate_limited_total',
      help: 'Slack Web API answers 429 that the bot waited out, by method.',
      labelNames: ['method'],
      registers,
    }),
    awsThrottles: new Counter({
      name: 'amibot_aws_throttled_total',
      help: 'AWS API calls answered with a throttling error (retried by the SDK), by service.',
      labelNames: ['service'],
      registers,
    }),
    amis: new Gauge({
      name: 'amibot_amis',
      help: "AMIs of a deployment's bakes still registered (as of the last inventory).",
      labelNames: ['deployment'],
      registers,
    }),
    snapshotGib: new Gauge({
      name: 'amibot_snapshot_gib',
      help: "GiB of EBS snapshots behind a deployment's AMIs and its orphaned snapshots (volume sizes).",
      labelNames: ['deployment'],
      registers,
    }),
    orphans: new Gauge({
      name: 'amibot_orphans',
      help: 'Tagged images and snapshots no record explains, by deployment (the orphan sweep).',
      labelNames: ['deployment'],
      registers,
    }),
  };
}
