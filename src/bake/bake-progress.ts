import type { ChatPort } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../shared/logger.js';
import { isText } from '../shared/text.js';
import type { BakeProgress } from './bake-context.js';
import type { BakePresenter } from './bake-presenter.js';
import type { BakeRecord } from './bake-record.js';

export interface BakeProgressOptions {
  chat: ChatPort;
  presenter: BakePresenter;
  clock: Clock;
  /** Paces the updates (wall time: Slack's rate limit is in real seconds). */
  wallClock: Clock;
  logger: Logger;
  bake: () => BakeRecord;
  sandbox: boolean;
  /**
   * Minimum real time between two updates of the root message. chat.update is Tier 3
   * (~50/min per workspace); 3 s per bake keeps a dozen concurrent bakes within it.
   */
  minIntervalMs?: number;
}

/**
 * The bake's live Slack view: the root message re-rendered in place (coalesced, rate-limited)
 * and replies in its thread. Slack failures are logged, never thrown: a 90-minute bake must not
 * fail because Slack hiccupped.
 */
export function createBakeProgress(options: BakeProgressOptions): BakeProgress {
  const minInterval = options.minIntervalMs ?? 3_000;
  let lastUpdate = 0;
  let timer: AbortController | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let dirty = false;
  let disposed = false;

  const push = async () => {
    timer = undefined;
    if (!dirty) return;
    dirty = false;
    lastUpdate = options.wallClock.now().getTime();
    const bake = options.bake();
    if (!bake.rootTs) return;
    const message = options.presenter.card(bake, options.clock.now(), { sandbox: options.sandbox });
    try {
      await options.chat.update({ channel: bake.channel, ts: bake.rootTs, ...message });
    } catch (error) {
      options.logger.warn({ err: error }, 'could not update the bake message');
    }
  };

  const schedule = () => {
    if (timer) return;
    const wait = Math.max(0, lastUpdate + minInterval - options.wallClock.now().getTime());
    const pending = new AbortController();
    timer = pending;
    options.wallClock.sleep(wait, pending.signal).then(
      () => {
        inFlight = inFlight.then(push);
      },
      () => undefined, // cancelled by flush or dispose
    );
  };

  return {
    refresh() {
      if (disposed) return;
      dirty = true;
      schedule();
    },
    async thread(content) {
      if (disposed) return undefined;
      const bake = options.bake();
      if (!bake.rootTs) return undefined;
      try {
        const posted = await options.chat.post({
          channel: bake.channel,
          threadTs: bake.rootTs,
          ...(isText(content) ? options.presenter.content(content) : content),
        });
        return posted.ts;
      } catch (error) {
        options.logger.warn({ err: error }, 'could not post to the bake thread');
        return undefined;
      }
    },
    async flush() {
      if (timer) {
        timer.abort();
        timer = undefined;
        inFlight = inFlight.then(push);
      }
      await inFlight;
    },
    dispose() {
      disposed = true;
      dirty = false;
      timer?.abort();
      timer = undefined;
    },
  };
}
