// Bake overhead, detection lag of `available`, and bounded-concurrency pulls: the real bot on the simulator
// (manual clock: virtual time moves only between the bot's sleeps, so the bot's polling design is measured
// exactly and its processing time is measured separately in wall time).
import { DEFAULT_TIMINGS } from '../src/sim/index.js';
import { runSimBake, type SimBakeResult } from './lib/sim-bake.js';
import { max, mean, median, quantile, round } from './lib/stats.js';

export interface BakeBenchOptions {
  seeds: number;
}

const s = (ms: number) => round(ms / 1000, 1);

function ratios(results: SimBakeResult[]) {
  // Production wall time ≈ the virtual duration (at clock speed 1) plus the bot's own processing, bounded above
  // by the wall time of the whole simulated run.
  const withCpu = results.map((r) => (r.durationMs + r.wallMs) / r.criticalMs);
  const virtualOnly = results.map((r) => r.durationMs / r.criticalMs);
  return { withCpu, virtualOnly };
}

function overheadByStep(results: SimBakeResult[]): Record<string, number> {
  const keys = Object.keys(results[0]?.overheadByStepMs ?? {});
  return Object.fromEntries(keys.map((k) => [k, s(mean(results.map((r) => r.overheadByStepMs[k] ?? 0)))]));
}

export async function benchBake(options: BakeBenchOptions) {
  const seeds = Array.from({ length: options.seeds }, (_, i) => i + 1);
  const results: SimBakeResult[] = [];
  for (const seed of seeds) results.push(await runSimBake({ seed }));
  const { withCpu, virtualOnly } = ratios(results);
  const lags = results.map((r) => r.detectLagMs / 1000);

  // The same bakes with the image polled at most every 3 s instead of 5 s (what-if for the lag target).
  const faster: SimBakeResult[] = [];
  for (const seed of seeds) faster.push(await runSimBake({ seed, bake: { imagePollMaxSeconds: 3 } }));

  return {
    overhead_ratio: round(median(withCpu), 4),
    overhead_ratio_p90: round(quantile(withCpu, 0.9), 4),
    overhead_ratio_max: round(max(withCpu), 4),
    overhead_ratio_virtual_only_median: round(median(virtualOnly), 4),
    detect_lag_median_s: round(median(lags), 2),
    detect_lag_p90_s: round(quantile(lags, 0.9), 2),
    detect_lag_max_s: round(max(lags), 2),
    detect_lag_median_s_if_image_poll_max_3s: round(median(faster.map((r) => r.detectLagMs / 1000)), 2),
    overhead_ratio_if_image_poll_max_3s: round(median(ratios(faster).withCpu), 4),
    bakes: results.length,
    bake_virtual_min_median: round(median(results.map((r) => r.durationMs / 60_000)), 1),
    critical_path_min_median: round(median(results.map((r) => r.criticalMs / 60_000)), 1),
    overhead_s_median: s(median(results.map((r) => r.durationMs - r.criticalMs))),
    overhead_s_by_step_mean: overheadByStep(results),
    processing_wall_ms_median: round(median(results.map((r) => r.wallMs)), 0),
    state_store_calls_median: median(results.map((r) => r.storeCalls)),
    per_seed: results.map((r, i) => ({
      seed: seeds[i],
      virtual_s: s(r.durationMs),
      critical_s: s(r.criticalMs),
      ratio: round(withCpu[i] as number, 4),
      detect_lag_s: round(r.detectLagMs / 1000, 2),
    })),
  };
}

/** The same images pulled one after another (pullConcurrency 1, as the manual procedure does) and 3 at a time. */
export async function benchPull() {
  // Fixed durations so both runs pull identical images in identical times; only the scheduling differs.
  const fixed = {
    ssmDelivery: { min: 1_500, max: 1_500 },
    pullBase: { min: 6_000, max: 6_000 },
    pullUpToDate: { min: 2_000, max: 2_000 },
  };
  const sequential = await runSimBake({ seed: 1, timings: fixed, bake: { pullConcurrency: 1 } });
  const concurrent = await runSimBake({ seed: 1, timings: fixed, bake: { pullConcurrency: 3 } });
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  return {
    images: sequential.aws.pullDurationsMs.length,
    sequential_s: s(sequential.stepMs.pull),
    concurrent_s: s(concurrent.stepMs.pull),
    speedup: round(sequential.stepMs.pull / concurrent.stepMs.pull, 2),
    concurrency: 3,
    sequential_docker_only_s: s(sum(sequential.aws.pullRunMs)),
    concurrent_makespan_aws_s: s(concurrent.aws.pullMakespanMs),
    pull_bytes_per_second_mb: round(DEFAULT_TIMINGS.pullBytesPerSecond / 1024 ** 2, 0),
  };
}
