// Several bot replicas' review features on one state database, one (virtual) Slack and one fake time.
import { createMongoStateStore } from '../../src/adapters/mongo/state-store.js';
import type { Clock } from '../../src/ports/clock.js';
import type { StateStore } from '../../src/ports/state-store.js';
import { localParts } from '../../src/review/zoned-time.js';
import { createInFlight, trackStore } from './in-flight.js';
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
  const inFlight = createInFlight();
  for (const store of options.stores) trackStore(inFlight, store);
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
  return { chat, fixtures, settle: inFlight.settle };
}
