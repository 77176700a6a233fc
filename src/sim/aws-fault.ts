import { fromAwsError } from '../adapters/aws/aws-errors.js';
import type { AppError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Faults } from './faults.js';
import type { SimWorld } from './sim-world.js';

/**
 * An AWS service error shaped like the SDK's (name = AWS error code, `$fault`, `$metadata`) and converted by
 * the real adapters' own `fromAwsError`, so the simulator's errors carry the very codes (`aws_<Code>`) and
 * messages production shows in Slack.
 */
export function awsError(code: string, awsMessage: string, api: string, what: string): AppError {
  const sdkError = Object.assign(new Error(awsMessage), {
    name: code,
    $fault: 'client',
    $metadata: { httpStatusCode: 400, requestId: 'sim-00000000-0000-4000-8000-000000000000' },
  });
  return fromAwsError(sdkError, { api, what }) as AppError;
}

/** Thrown by the world's lifecycle code; the port that made the call turns it into the adapter's AppError. */
export class SimAwsFault extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The simulator's `callAws`: same API names and phrases as the real adapters, same resulting AppError. */
export async function simAws<T>(api: string, what: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof SimAwsFault) throw awsError(error.code, error.message, api, what);
    throw error;
  }
}

/** `aws-throttle`: the latency the SDK adds while it backs off RequestLimitExceeded, counted in the world. */
export async function simThrottle(world: SimWorld, clock: Clock, faults: Faults): Promise<void> {
  if (!faults.isOn('aws-throttle')) return;
  const ms = world.draw({ min: 1000, max: 4000 });
  world.throttled.calls += 1;
  world.throttled.ms += ms;
  await clock.sleep(ms);
}

/** What every simulated AWS call does first: the `aws-throttle` latency, then the transitions due by now. */
export async function enterAws(world: SimWorld, clock: Clock, faults: Faults): Promise<number> {
  await simThrottle(world, clock, faults);
  const nowMs = clock.now().getTime();
  world.settle(nowMs);
  return nowMs;
}
