import { describe, expect, it } from 'vitest';
import { createRatePacer } from '../../src/adapters/slack/rate-pacer.js';

/** A pacer on a hand-moved clock; `slept` records every wait it asked for (the clock does not move by itself). */
function pacerAt(start = 1_000_000) {
  let t = start;
  const slept: number[] = [];
  const pacer = createRatePacer({
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  return {
    pacer,
    slept,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('the Slack rate pacer', () => {
  it('does not pace before Slack has shown a limit', async () => {
    const { pacer, slept } = pacerAt();
    for (let i = 0; i < 50; i++) {
      await pacer.slot();
      pacer.succeeded();
    }
    expect(slept).toEqual([]);
    expect(pacer.rate).toBeUndefined();
  });

  it('takes an isolated 429 for a one-off: no pace', () => {
    const { pacer, advance } = pacerAt();
    for (let i = 0; i < 100; i++) {
      pacer.succeeded();
      advance(5);
    }
    pacer.rateLimited(1);
    advance(300);
    pacer.rateLimited(1);
    expect(pacer.rate).toBeUndefined();
  });

  it('learns the rate from a burst of 429s and spaces later calls by it', async () => {
    const { pacer, slept, advance } = pacerAt();
    // 100 calls went through within the last second, then three lanes are refused at once: a full window.
    for (let i = 0; i < 100; i++) {
      pacer.succeeded();
      advance(8);
    }
    pacer.rateLimited(1);
    pacer.rateLimited(1);
    expect(pacer.rate).toBeUndefined();
    pacer.rateLimited(1);
    expect(pacer.rate).toBe(100);
    // The window is full until its oldest success (800 ms ago) has left it, 200 ms from now; from then on, four
    // callers waiting at the same moment start 10 ms apart.
    await Promise.all([pacer.slot(), pacer.slot(), pacer.slot(), pacer.slot()]);
    expect(slept).toEqual([200, 210, 220, 230]);
  });

  it('needs enough successes to name a rate, and only ever lowers it on a new burst', () => {
    const { pacer, advance } = pacerAt();
    for (let i = 0; i < 5; i++) pacer.succeeded();
    pacer.rateLimited(1);
    pacer.rateLimited(1);
    pacer.rateLimited(1);
    expect(pacer.rate).toBeUndefined();

    advance(2_000);
    for (let i = 0; i < 60; i++) {
      pacer.succeeded();
      advance(10);
    }
    for (let i = 0; i < 3; i++) pacer.rateLimited(2);
    // 60 successes within the 2 s Retry-After window: 30 a second, nudged up a little by each success after.
    expect(pacer.rate).toBe(30);
    for (let i = 0; i < 100; i++) pacer.succeeded();
    const raised = pacer.rate as number;
    expect(raised).toBeGreaterThan(30);
    expect(raised).toBeLessThan(31);
    advance(5_000);
    for (let i = 0; i < 12; i++) {
      pacer.succeeded();
      advance(50);
    }
    for (let i = 0; i < 3; i++) pacer.rateLimited(1);
    expect(pacer.rate).toBe(12);
  });
});
