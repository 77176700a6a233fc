import { describe, expect, it } from 'vitest';
import { createJobTimer } from '../../src/rollout/job-timing.js';
import {
  checkWindow,
  parseWindow,
  parseWindowDuration,
  parseWindowStart,
} from '../../src/rollout/maintenance-window.js';

describe('parseWindowStart', () => {
  it('reads the wall-clock time in the configured zone', () => {
    expect(parseWindowStart('2026-12-01 02:00', 'UTC').toISOString()).toBe('2026-12-01T02:00:00.000Z');
    expect(parseWindowStart('2026-12-01 02:00', 'Europe/Berlin').toISOString()).toBe('2026-12-01T01:00:00.000Z');
    expect(parseWindowStart('2026-07-01T02:00', 'Europe/Berlin').toISOString()).toBe('2026-07-01T00:00:00.000Z');
    expect(parseWindowStart('2026-12-01 02:00', 'America/New_York').toISOString()).toBe('2026-12-01T07:00:00.000Z');
  });

  it('refuses a time the clocks skip, takes the first of a repeated one, and refuses nonsense', () => {
    expect(() => parseWindowStart('2026-03-29 02:30', 'Europe/Berlin')).toThrow(/does not exist/);
    expect(parseWindowStart('2026-10-25 02:30', 'Europe/Berlin').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(() => parseWindowStart('2026-02-30 02:00', 'UTC')).toThrow(/not a real date/);
    expect(() => parseWindowStart('2026-12-01 24:00', 'UTC')).toThrow(/not a real date/);
    expect(() => parseWindowStart('tomorrow', 'UTC')).toThrow(/YYYY-MM-DD HH:MM/);
  });

  it('wants the window ahead and within 90 days', () => {
    const now = new Date('2026-11-28T10:00:00Z');
    expect(() => checkWindow(new Date('2026-11-28T09:59:00Z'), now)).toThrow(/future/);
    expect(() => checkWindow(new Date('2027-03-01T00:00:00Z'), now)).toThrow(/90 days/);
    expect(() => checkWindow(new Date('2026-12-01T02:00:00Z'), now)).not.toThrow();
  });
});

describe('parseWindow: a window has an end', () => {
  const now = new Date('2026-11-28T10:00:00Z');
  const at = '2026-12-01 02:00';
  const start = new Date('2026-12-01T02:00:00Z');
  const end = (iso: string) => ({ applyAt: start, applyUntil: new Date(iso) });

  it('ends after --for, at --until, or after the default length; no window without --at', () => {
    expect(parseWindow({ at, for: '90m' }, 'UTC', now, 120)).toEqual(end('2026-12-01T03:30:00Z'));
    expect(parseWindow({ at, for: '1h30m' }, 'UTC', now, 120)).toEqual(end('2026-12-01T03:30:00Z'));
    expect(parseWindow({ at, until: '2026-12-01 05:00' }, 'UTC', now, 120)).toEqual(end('2026-12-01T05:00:00Z'));
    expect(parseWindow({ at }, 'UTC', now, 120)).toEqual(end('2026-12-01T04:00:00Z'));
    expect(parseWindow({}, 'UTC', now, 120)).toEqual({});
    expect(parseWindowDuration('2h')).toBe(7_200_000);
  });

  it('refuses an end without a start, two ends, an end before the start, over 72 h, or a bad length', () => {
    expect(() => parseWindow({ for: '2h' }, 'UTC', now, 120)).toThrow(/--at/);
    expect(() => parseWindow({ at, for: '2h', until: '2026-12-01 05:00' }, 'UTC', now, 120)).toThrow(/not both/);
    expect(() => parseWindow({ at, until: '2026-12-01 01:00' }, 'UTC', now, 120)).toThrow(/end after it starts/);
    expect(() => parseWindow({ at, for: '73h' }, 'UTC', now, 120)).toThrow(/72 h/);
    for (const bad of ['0m', '2', 'h', '2d', '-1h', '2h 30m'])
      expect(() => parseWindowDuration(bad), bad).toThrow(/2h/);
  });
});

describe('createJobTimer', () => {
  it('charges each observed state until the next one and measures the time to Running', () => {
    const t0 = 1_000_000;
    const timer = createJobTimer(t0);
    timer.observe('Queued', t0 + 2_000);
    timer.observe('Queued', t0 + 60_000);
    timer.observe('Pulling', t0 + 150_000);
    timer.observe('Preparing', t0 + 152_000);
    timer.observe('Running', t0 + 170_000);
    const timing = timer.snapshot(t0 + 175_000);
    expect(timing.seconds).toEqual({ Queued: 150, Pulling: 2, Preparing: 18, Running: 5 });
    expect(timing.toRunningSeconds).toBe(170);
    expect(timing.statesSeen).toEqual(['Queued', 'Pulling', 'Preparing', 'Running']);
    expect(timing.lastStatus).toBe('Running');
  });

  it('takes a job first seen Succeeded as having run (Running fell between two polls)', () => {
    const timer = createJobTimer(0);
    timer.observe('Pulling', 10_000);
    timer.observe('Succeeded', 40_000);
    expect(timer.snapshot(40_000).toRunningSeconds).toBe(40);
  });

  it('counts the wait before the first answer as Queued and keeps unusual states', () => {
    const timer = createJobTimer(0);
    timer.observe('Pending', 4_000);
    timer.observe('Failed', 9_000);
    const timing = timer.snapshot(9_000);
    expect(timing.seconds).toEqual({ Queued: 4, Pending: 5, Failed: 0 });
    expect(timing.statesSeen).toEqual(['Queued', 'Pending', 'Failed']);
    expect(timing.toRunningSeconds).toBeUndefined();
  });
});
