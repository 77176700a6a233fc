// Several bot replicas' review features on one state database, one (virtual) Slack and one fake time.
import { createMongoStateStore } from '../../src/adapters/mongo/state-store.js';
import type { Clock } from '../../src/ports/clock.js';
import type { StateStore } from '../../src/ports/state-store.js';
import { localParts } from '../../src/review/zoned-time.js';
import { mongoTestUri } from './mongo.js';
import { createReviewChat, type ReviewChat } from './review-chat.js';
import { createReviewFixture, type ReviewFixture } from './review-fixture.js';

export const HOUR = 3_600_000;

export async function openMongoStore(database: string, opened: StateStore[]): Promise<StateStore> {
  const store = await createMongoStateStore({ uri: mongoTestUri(), database });
  opened.push(store);
  return store;
}

/** Counts every tick claim a replica makes, and the ones it wins. */
export function countClaims(store: StateStore): { calls: number; wins: number } {
  const counts = { calls: 0, wins: 0 };
  const claim = store.ticks.claim.bind(store.ticks);
  store.ticks.claim = async (...args) => {
    counts.calls++;
    const won = await claim(...args);
    if (won) counts.wins++;
    return won;
  };
  return counts;
}

/**
 * Counts the replicas' state store calls in flight. `settle` resolves once none is in flight and none
 * started during a turn of the event loop after: a fired tick's work (claim, report, reminders, lease) is
 * all store calls joined by promise continuations, and its database calls take real time while fake time
 * stands still. Work that waits on a timer counts as settled, as a manual-clock sleeper does.
 */
function trackStoreCalls(stores: StateStore[]): () => Promise<void> {
  let inFlight = 0;
  let onIdle: (() => void) | undefined;
  for (const store of stores) {
    for (const repo of Object.values(store)) {
      if (typeof repo !== 'object' || repo === null) continue;
      const methods = repo as Record<string, unknown>;
      for (const [name, method] of Object.entries(methods)) {
        if (typeof method !== 'function') continue;
        methods[name] = (...args: unknown[]) => {
          inFlight++;
          const call = async () => method.apply(repo, args);
          return call().finally(() => {
            inFlight--;
            if (inFlight === 0) onIdle?.();
          });
        };
      }
    }
  }
  return async function settle() {
    for (;;) {
      if (inFlight > 0) await new Promise<void>((resolve) => (onIdle = resolve));
      await new Promise((resolve) => setImmediate(resolve));
      if (inFlight === 0) return;
    }
  };
}

export const reports = (chat: ReviewChat) => chat.posts.filter((p) => p.text.startsWith('AMI review of acme'));
export const reminders = (chat: ReviewChat) => chat.posts.filter((p) => p.text.startsWith(':bell: Reminder'));

export function localStamp(date: Date, timeZone: string): string {
  const p = localParts(date, timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

/**
 * One review feature per store, all posting to one chat, on the production trigger (node-cron, under
 * FakeTime) unless told 'clock' (sandbox mode's, on a ManualClock); `settle` waits for the work their fired
 * ticks started (FakeTime.advance's settle).
 */
export function replicas(options: {
  stores: StateStore[];
  clock: Clock;
  followUps: string;
  schedule?: string;
  timeZone?: string;
  trigger?: 'cron' | 'clock';
}): { chat: ReviewChat; fixtures: ReviewFixture[]; settle: () => Promise<void> } {
  const settle = trackStoreCalls(options.stores);
  const chat = createReviewChat(options.clock);
  const fixtures = options.stores.map((store, i) =>
    createReviewFixture({
      store,
      clock: options.clock,
      chat,
      owner: `replica-${i + 1}`,
      review: { trigger: options.trigger ?? 'cron', followUpSchedule: options.followUps },
      tweak: (c) => {
        if (options.schedule) c.deployments[0]!.review.schedule = options.schedule;
        if (options.timeZone) c.deployments[0]!.review.timeZone = options.timeZone;
      },
    }),
  );
  return { chat, fixtures, settle };
}
