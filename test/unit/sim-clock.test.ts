import { describe, expect, it } from 'vitest';
import { createManualClock, createScaledClock } from '../../src/sim/scaled-clock.js';

describe('manual clock', () => {
  it('wakes sleepers in due order and lets woken code sleep again within the same advance', async () => {
    const clock = createManualClock(new Date('2026-09-01T09:00:00Z'));
    const log: string[] = [];
    void clock.sleep(3_000).then(() => log.push(`c@${clock.now().toISOString().slice(14, 19)}`));
    void clock.sleep(1_000).then(async () => {
      log.push(`a@${clock.now().toISOString().slice(14, 19)}`);
      await clock.sleep(1_000);
      log.push(`b@${clock.now().toISOString().slice(14, 19)}`);
    });
    await clock.advance(2_500);
    expect(log).toEqual(['a@00:01', 'b@00:02']);
    expect(clock.now().toISOString()).toBe('2026-09-01T09:00:02.500Z');
    await clock.advance(500);
    expect(log).toEqual(['a@00:01', 'b@00:02', 'c@00:03']);
    expect(clock.pendingSleepers()).toBe(0);
  });

  it('rejects an aborted sleep with the signal reason and forgets it', async () => {
    const clock = createManualClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(10_000, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(sleeping).rejects.toThrow('cancelled');
    expect(clock.pendingSleepers()).toBe(0);
    await expect(clock.sleep(1, controller.signal)).rejects.toThrow('cancelled');
  });
});

describe('scaled clock', () => {
  it('runs virtual time `speed` times faster than real time', async () => {
    const clock = createScaledClock({ speed: 1_000, start: new Date('2026-09-01T09:00:00Z') });
    const realStart = performance.now();
    await clock.sleep(60_000); // a virtual minute
    const realMs = performance.now() - realStart;
    expect(realMs).toBeGreaterThanOrEqual(55);
    expect(realMs).toBeLessThan(1_000);
    expect(clock.now().getTime() - Date.parse('2026-09-01T09:00:00Z')).toBeGreaterThanOrEqual(60_000);
    expect(clock.speed).toBe(1_000);
  });

  it('is abortable and refuses a non-positive speed', async () => {
    const clock = createScaledClock({ speed: 10 });
    const controller = new AbortController();
    const sleeping = clock.sleep(3_600_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(() => createScaledClock({ speed: 0 })).toThrow(/positive/);
  });
});
