/**
 * The simulator's only notion of "later": actions due at a virtual time, run in time order the next time
 * anybody looks at the world (`settle(now)`). No timers, so an idle simulator costs nothing and a faster or
 * manual clock changes nothing but when we look.
 */
export interface EventQueue {
  /** `action` receives its own due time, so follow-up events are timed from it, not from when we looked. */
  schedule(atMs: number, action: (atMs: number) => void): void;
  /** Runs every action due at or before `nowMs`, including those scheduled by actions run here. */
  settle(nowMs: number): void;
  size(): number;
}

interface Due {
  atMs: number;
  seq: number;
  action: (atMs: number) => void;
}

export function createEventQueue(): EventQueue {
  // Kept sorted by (atMs, seq); the world holds tens of pending events, so insertion sort is plenty.
  const queue: Due[] = [];
  let seq = 0;
  let settling = false;

  return {
    schedule(atMs, action) {
      const due = { atMs, seq: seq++, action };
      let i = queue.length;
      while (i > 0 && (queue[i - 1] as Due).atMs > atMs) i--;
      queue.splice(i, 0, due);
    },
    settle(nowMs) {
      // An action that reads the world must not re-enter settle and run later events out of order.
      if (settling) return;
      settling = true;
      try {
        while (queue.length > 0 && (queue[0] as Due).atMs <= nowMs) {
          const due = queue.shift() as Due;
          due.action(due.atMs);
        }
      } finally {
        settling = false;
      }
    },
    size: () => queue.length,
  };
}
