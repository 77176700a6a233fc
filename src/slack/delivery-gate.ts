import { createHash } from 'node:crypto';
import type { Logger } from '../shared/logger.js';
import type { DeliveryRepo } from './delivery-repo.js';

/** Longer than Bolt's 5-minute signature window, so a replay is refused by one check or the other. */
export const DELIVERY_RETENTION_MS = 60 * 60_000;
const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * The key of one Slack delivery: Slack's own id (the same on its retries, X-Slack-Retry-Num) where the body has
 * one, else the request's signature (HTTP only), which a byte-identical replay repeats.
 */
export function deliveryKey(
  body: Record<string, unknown>,
  signed?: { timestamp: string; signature: string },
): string | undefined {
  // A long id is hashed, not cut: two ids that differ only past the cut were one key (the second delivery dropped).
  const id = (value: unknown) =>
    typeof value === 'string' && value.length > 0
      ? value.length <= 200
        ? value
        : createHash('sha256').update(value).digest('hex')
      : undefined;
  const eventId = id(body.event_id);
  if (eventId) return `event:${eventId}`;
  const triggerId = id(body.trigger_id);
  if (triggerId) return `trigger:${triggerId}`;
  return signed ? `v0:${signed.timestamp}:${signed.signature.slice(0, 100)}` : undefined;
}

export interface DeliveryGate {
  /** True for the first delivery of `key` across replicas; false for a duplicate (ack it, run nothing). */
  isFirst(key: string): Promise<boolean>;
}

/**
 * Insert-once per delivery in the bot's state store. Wall time, not the bot's clock: the window it must outlast
 * is Slack's signature window, which Bolt checks against the system clock. Old keys are swept at most every
 * 10 minutes, by whichever request comes next.
 */
export function createDeliveryGate(deps: {
  deliveries: DeliveryRepo;
  logger: Logger;
  now?: () => number;
}): DeliveryGate {
  const now = deps.now ?? Date.now;
  let lastSweep = 0;
  const sweep = (at: number) => {
    if (at - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = at;
    deps.deliveries
      .sweep(new Date(at - DELIVERY_RETENTION_MS))
      .catch((error: unknown) => deps.logger.warn({ error: String(error) }, 'could not sweep old Slack deliveries'));
  };
  return {
    async isFirst(key) {
      const at = now();
      sweep(at);
      try {
        return await deps.deliveries.claim(key, new Date(at));
      } catch (error) {
        // The store is down: run the request (its use case answers clearly); refusing would drop genuine work.
        deps.logger.warn({ error: String(error) }, 'could not record a Slack delivery; handling it anyway');
        return true;
      }
    },
  };
}
