/**
 * Slack deliveries already taken (insert-once by key): a replayed, retried or twice-delivered request runs
 * once across all replicas. Keys are Slack's ids (trigger_id, event_id) or `v0:<timestamp>:<signature>`.
 */
export interface DeliveryRepo {
  /** True for exactly one caller per key; false for every later one (a duplicate). */
  claim(key: string, at: Date): Promise<boolean>;
  /** Forgets deliveries taken before `before` (no TTL index on FerretDB); returns how many went. */
  sweep(before: Date): Promise<number>;
}
