import { AppError } from '../errors.js';
import type { StateStore } from '../ports/state-store.js';
import { isBakeActive } from './bake-record.js';

/** One template instance is baked by one bake at a time, whatever deployment it belongs to. */
export const templateLockKey = (instanceId: string) => `template:${instanceId}`;

/**
 * Takes the template's lock for the bake (re-entrant: a step re-run after a crash keeps it). A lock left by a
 * bake that has ended (it crashed before letting go) is stale and taken over; one held by an active bake refuses.
 */
export async function takeTemplateLock(
  store: Pick<StateStore, 'locks' | 'bakes'>,
  instanceId: string,
  bakeId: string,
  now: Date,
): Promise<void> {
  const key = templateLockKey(instanceId);
  let holder = await store.locks.acquire(key, bakeId, now);
  if (holder === undefined) return;
  const other = await store.bakes.get(holder);
  // The holder's bake is saved before its run takes any lock, so a missing record is one that was removed.
  if (!other || !isBakeActive(other)) {
    await store.locks.release(key, holder);
    holder = await store.locks.acquire(key, bakeId, now);
    if (holder === undefined) return;
  }
  const running = (await store.bakes.get(holder)) ?? other;
  throw new AppError(
    'template_in_use',
    `The template ${instanceId} is being baked by ${holder}${running ? ` (${running.deployment})` : ''}: two bakes never share a template. Wait for it, or give each deployment its own template (templateNamePattern).`,
  );
}

export async function releaseTemplateLock(
  store: Pick<StateStore, 'locks'>,
  instanceId: string | undefined,
  bakeId: string,
): Promise<void> {
  if (instanceId) await store.locks.release(templateLockKey(instanceId), bakeId);
}
