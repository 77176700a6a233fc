/**
 * A queue between producers and consumers that run at different speeds (e.g. email lookups feeding DM lanes):
 * `next()` waits for an item, and answers done once the queue is closed and empty.
 */
export interface AsyncQueue<T> extends AsyncIterable<T> {
  push(item: T): void;
  /** No more items: waiting consumers finish once the queue is empty. */
  close(): void;
  next(): Promise<IteratorResult<T, undefined>>;
}

export function createAsyncQueue<T>(): AsyncQueue<T> {
  const items: T[] = [];
  const waiting: Array<(result: IteratorResult<T, undefined>) => void> = [];
  let closed = false;
  const queue: AsyncQueue<T> = {
    push(item) {
      if (closed) throw new Error('push after close');
      const consumer = waiting.shift();
      if (consumer) consumer({ value: item, done: false });
      else items.push(item);
    },
    close() {
      closed = true;
      for (const consumer of waiting.splice(0)) consumer({ value: undefined, done: true });
    },
    next() {
      if (items.length > 0) return Promise.resolve({ value: items.shift() as T, done: false });
      if (closed) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => waiting.push(resolve));
    },
    [Symbol.asyncIterator]() {
      return { next: () => queue.next() };
    },
  };
  return queue;
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function eachLimited<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const source =
    Symbol.asyncIterator in items
      ? (items as AsyncIterable<T>)[Symbol.asyncIterator]()
      : (items as Iterable<T>)[Symbol.iterator]();
  const lane = async () => {
    for (;;) {
      const next = await source.next();
      if (next.done) return;
      await work(next.value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, lane));
}
