import type { Config } from './config.js';
import type { StateStore } from './ports/state-store.js';

/**
 * Sandbox with a persistent store: the newest time the previous run wrote (on its simulated clock). The new
 * simulated clock starts there, not at the wall clock, so times never go backwards across a restart and the
 * previous run's leases (hours ahead of the wall clock at ×60) expire after their own length, not hours later.
 */
export async function simClockStartAfter(store: StateStore, now: Date): Promise<Date> {
  const [bakes, audit] = await Promise.all([store.bakes.listRecent(20), store.audit.listRecent(5)]);
  const times = [
    now.getTime(),
    ...bakes.map((bake) => bake.updatedAt.getTime()),
    ...audit.map((entry) => entry.at.getTime()),
  ];
  return new Date(Math.max(...times));
}

/** The start-up lines that say what a sandbox keeps and how its time runs (logged as warnings). */
export function sandboxStartupNotes(config: Config, persistent: boolean): string[] {
  return [
    persistent
      ? 'sandbox: the bot state is in MongoDB and survives restarts, but the simulated AWS and Domino start afresh with each process: a bake running at a restart is picked up again and closed in its thread, saying its simulated template, commands and AMI are gone'
      : 'sandbox: sandbox state is in memory; a restart loses every bake, test and change. Set AMIBOT_STATE_MONGODB_URI to keep bakes across restarts',
    `sandbox: simulated time runs ×${config.simSpeed} (AMIBOT_SIM_SPEED) from start-up: every time and duration in Slack, and \`/ami plan --at\`, are on the simulated clock`,
  ];
}
