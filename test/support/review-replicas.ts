// Several bot replicas' review features on one state database, one (virtual) Slack and one manual clock.
import { createMongoStateStore } from '../../src/adapters/mongo/state-store.js';
import type { Clock } from '../../src/ports/clock.js';
import type { StateStore } from '../../src/ports/state-store.js';
import { localParts } from '../../src/review/zoned-time.js';
import type { ManualClock } from '../../src/sim/manual-clock.js';
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

/** Waits (in real time) until every scheduler loop sleeps on the manual clock again. */
export async function idle(clock: ManualClock, loops: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (let spins = 0; clock.pendingSleepers() < loops; spins++) {
    if (Date.now() > deadline) throw new Error(`schedulers not idle (${clock.pendingSleepers()}/${loops} asleep)`);
    // Spin briefly for work without I/O; then yield the CPU to the database server while waiting for it.
    await new Promise((resolve) => (spins < 50 ? setImmediate(resolve) : setTimeout(resolve, 1)));
  }
}

/**
 * Advances simulated time in steps shorter than the catch-up grace, letting every replica finish its work
 * after each step (their database calls take real time while the manual clock stands still).
 */
export async function runFor(clock: ManualClock, ms: number, loops: number, step = 3 * HOUR): Promise<void> {
  await idle(clock, loops);
  for (let done = 0; done < ms; done += step) {
    await clock.advance(Math.min(step, ms - done));
    await idle(clock, loops);
  }
}

export const reports = (chat: ReviewChat) => chat.posts.filter((p) => p.text.startsWith('AMI review of acme'));
export const reminders = (chat: ReviewChat) => chat.posts.filter((p) => p.text.startsWith(':bell: Reminder'));

export function localStamp(date: Date, timeZone: string): string {
  const p = localParts(date, timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

export function replicas(options: {
  stores: StateStore[];
  clock: Clock;
  followUps: string;
  schedule?: string;
  timeZone?: string;
  trigger?: 'clock' | 'cron';
}): { chat: ReviewChat; fixtures: ReviewFixture[] } {
  const chat = createReviewChat(options.clock);
  const fixtures = options.stores.map((store, i) =>
    createReviewFixture({
      store,
      clock: options.clock,
      chat,
      owner: `replica-${i + 1}`,
      review: { trigger: options.trigger ?? 'clock', followUpSchedule: options.followUps },
      tweak: (c) => {
        if (options.schedule) c.deployments[0]!.review.schedule = options.schedule;
        if (options.timeZone) c.deployments[0]!.review.timeZone = options.timeZone;
      },
    }),
  );
  return { chat, fixtures };
}
