import type { BakeRecord } from '../../bake/bake-record.js';
import {
  applyCheckpoint,
  isBakeActive,
  isBakeCancelAllowed,
  isClaimableBy,
  isLeaseFree,
} from '../../bake/bake-record.js';
import type { BakeRepo } from '../../bake/bake-repo.js';
import type { StateStore } from '../../ports/state-store.js';
import type { LockRepo } from '../../shared/lock-repo.js';
import type { DeliveryRepo } from '../../slack/delivery-repo.js';
import { createMemoryPruneRepo } from './memory-prune-repo.js';
import { copy, insertOnce, readOne, recentOf } from './memory-records.js';
import { createMemoryReviewRepo, createMemoryTickRepo } from './memory-review-repos.js';
import {
  createMemoryAmiTestRepo,
  createMemoryAuditRepo,
  createMemoryChangeRepo,
  createMemoryNotificationRepo,
} from './memory-rollout-repos.js';

/**
 * The bot's state in process memory, for sandbox mode without MongoDB. Same guarded semantics as
 * the MongoDB store (the shared contract tests run against both); copies in and out, so callers
 * never share objects with the store.
 */
export function createMemoryStateStore(): StateStore {
  const bakes = new Map<string, BakeRecord>();
  const locks = new Map<string, { holder: string; at: Date }>();

  const bakeRepo: BakeRepo = {
    async insert(bake) {
      if (!insertOnce(bakes, bake)) throw new Error(`duplicate key: bake ${bake._id}`);
    },
    async get(id) {
      return readOne(bakes, id, copy);
    },
    async listRecent(limit, deployment) {
      return recentOf(bakes, deployment).slice(0, limit).map(copy);
    },
    async listClaimable(now) {
      return [...bakes.values()].filter((bake) => isBakeActive(bake) && isLeaseFree(bake, now)).map((bake) => bake._id);
    },
    async claim(id, owner, now, until) {
      const bake = bakes.get(id);
      if (!bake || !isClaimableBy(bake, owner, now)) return undefined;
      bake.lease = { owner, until };
      bake.updatedAt = now;
      return copy(bake);
    },
    async renew(id, owner, until) {
      const bake = bakes.get(id);
      if (bake?.lease?.owner !== owner) return false;
      bake.lease.until = until;
      return true;
    },
    async checkpoint(id, owner, checkpoint) {
      const bake = bakes.get(id);
      if (bake?.lease?.owner !== owner) return false;
      applyCheckpoint(bake, copy(checkpoint));
      return true;
    },
    async release(id, owner) {
      const bake = bakes.get(id);
      if (bake?.lease?.owner === owner) delete bake.lease;
    },
    async requestCancel(id, by, at) {
      const bake = bakes.get(id);
      if (!bake) return undefined;
      if (isBakeCancelAllowed(bake)) bake.cancelRequested = { by, at };
      return copy(bake);
    },
  };

  const lockRepo: LockRepo = {
    async acquire(key, holder, at) {
      const current = locks.get(key);
      if (current === undefined) {
        locks.set(key, { holder, at });
        return undefined;
      }
      return current.holder === holder ? undefined : current.holder;
    },
    async release(key, holder) {
      if (locks.get(key)?.holder === holder) locks.delete(key);
    },
    async holderOf(key) {
      return locks.get(key)?.holder;
    },
    async describe(key) {
      const current = locks.get(key);
      return current ? { ...current } : undefined;
    },
  };

  const deliveries = new Map<string, Date>();
  const deliveryRepo: DeliveryRepo = {
    async claim(key, at) {
      if (deliveries.has(key)) return false;
      deliveries.set(key, at);
      return true;
    },
    async sweep(before) {
      let swept = 0;
      for (const [key, at] of deliveries) {
        if (at.getTime() < before.getTime()) swept += deliveries.delete(key) ? 1 : 0;
      }
      return swept;
    },
  };

  return {
    bakes: bakeRepo,
    deliveries: deliveryRepo,
    locks: lockRepo,
    ticks: createMemoryTickRepo(),
    reviews: createMemoryReviewRepo(),
    changes: createMemoryChangeRepo(),
    amiTests: createMemoryAmiTestRepo(),
    audit: createMemoryAuditRepo(),
    notifications: createMemoryNotificationRepo(),
    prunes: createMemoryPruneRepo(),
    ping: async () => true,
    close: async () => undefined,
  };
}
