import { describe, expect, it } from 'vitest';
import { type ChoiceImage, chooseImages } from '../../../src/selection/choose-images.js';

const layer = (digest: string, bytes: number) => ({ digest, bytes });
const img = (ref: string, layers: Array<{ digest: string; bytes: number }>, runsPerWeek: number, required = false) => ({
  ref,
  layers,
  runsPerWeek,
  ...(required ? { required } : {}),
});

// Shared layer s (80 B) in P and Q; R stands alone. At 1 B/s a layer saves bytes × runs of the images holding it:
// s = 80 × (5 + 5) = 800 s, a = b = 20 × 5 = 100 s, c = 100 × 6 = 600 s.
const s = layer('sha256:s', 80);
const a = layer('sha256:a', 20);
const b = layer('sha256:b', 20);
const c = layer('sha256:c', 100);
const P = img('reg/p:1', [s, a], 5);
const Q = img('reg/q:1', [s, b], 5);
const R = img('reg/r:1', [c], 6);

describe('chooseImages', () => {
  it('counts a shared layer once: P and Q fit a 130 B budget together (120 B), worth 1000 s, more than R', () => {
    const choice = chooseImages({ images: [P, Q, R], budgetBytes: 130, bandwidthBytesPerSecond: 1 });
    expect(choice.method).toBe('exact');
    expect(choice.chosen.map((x) => [x.ref, x.marginalBytes, x.marginalSecondsPerWeek])).toEqual([
      ['reg/p:1', 100, 900],
      ['reg/q:1', 20, 100],
    ]);
    expect(choice.totalBytes).toBe(120);
    expect(choice.secondsSavedPerWeek).toBe(1000);
    expect(choice.leftOut).toEqual([
      { ref: 'reg/r:1', marginalBytes: 100, marginalSecondsPerWeek: 600, reason: 'over_budget' },
    ]);
  });

  it('always takes the required base images, and the environments built on them then add only their top layers', () => {
    const base = img('reg/base:1', [s], 0, true);
    const choice = chooseImages({ images: [R, P, base, Q], budgetBytes: 150, bandwidthBytesPerSecond: 1 });
    // Base 80 B (800 s from P's and Q's runs); 70 B left: P and Q add 20 B each (100 s), R needs 100 B.
    expect(choice.chosen.map((x) => [x.ref, x.required, x.marginalBytes])).toEqual([
      ['reg/base:1', true, 80],
      ['reg/p:1', false, 20],
      ['reg/q:1', false, 20],
    ]);
    expect(choice.secondsSavedPerWeek).toBe(1000);
    expect(choice.leftOut.map((x) => [x.ref, x.reason])).toEqual([['reg/r:1', 'over_budget']]);
  });

  it('keeps a required image over the budget, and then nothing else fits', () => {
    const big = img('reg/huge:1', [layer('sha256:h', 500)], 1, true);
    const choice = chooseImages({ images: [big, R], budgetBytes: 300, bandwidthBytesPerSecond: 1 });
    expect(choice.chosen.map((x) => x.ref)).toEqual(['reg/huge:1']);
    expect(choice.totalBytes).toBe(500);
    expect(choice.leftOut.map((x) => [x.ref, x.reason])).toEqual([['reg/r:1', 'over_budget']]);
  });

  it('divides by the bandwidth: 10 B/s saves a tenth of the seconds', () => {
    const choice = chooseImages({ images: [P, Q, R], budgetBytes: 130, bandwidthBytesPerSecond: 10 });
    expect(choice.secondsSavedPerWeek).toBeCloseTo(100, 9);
  });

  it('takes a free image whose layers the chosen ones bring, and says no_benefit for one nobody runs', () => {
    // T = a + b, run once a week: with P and Q on the AMI it adds nothing, and the budget is exactly P + Q.
    const T = img('reg/t:1', [a, b], 1);
    const unused = img('reg/unused:1', [layer('sha256:u', 5)], 0);
    const choice = chooseImages({ images: [P, Q, T, unused], budgetBytes: 120, bandwidthBytesPerSecond: 1 });
    expect(choice.chosen.map((x) => [x.ref, x.marginalBytes])).toEqual([
      ['reg/p:1', 100],
      ['reg/q:1', 20],
      ['reg/t:1', 0],
    ]);
    // s: 80 × 10, a and b: 20 × (5 + 1) each.
    expect(choice.secondsSavedPerWeek).toBe(1040);
    expect(choice.leftOut).toEqual([
      { ref: 'reg/unused:1', marginalBytes: 5, marginalSecondsPerWeek: 0, reason: 'over_budget' },
    ]);
  });

  it('says no_benefit for an image that fits but nobody runs', () => {
    const unused = img('reg/unused:1', [layer('sha256:u', 5)], 0);
    const choice = chooseImages({ images: [P, unused], budgetBytes: 1000, bandwidthBytesPerSecond: 1 });
    expect(choice.leftOut).toEqual([
      { ref: 'reg/unused:1', marginalBytes: 5, marginalSecondsPerWeek: 0, reason: 'no_benefit' },
    ]);
  });

  it('exact search beats greedy where the best ratio blocks the best pair', () => {
    // A: 10 B, 110 s (11 s/B); B and C: 100 B, 1000 s each (10 s/B). Budget 200: greedy takes A then B (1110 s);
    // the optimum is B + C (2000 s).
    const images = [
      img('reg/a:1', [layer('sha256:xa', 10)], 11),
      img('reg/b:1', [layer('sha256:xb', 100)], 10),
      img('reg/c:1', [layer('sha256:xc', 100)], 10),
    ];
    const exact = chooseImages({ images, budgetBytes: 200, bandwidthBytesPerSecond: 1 });
    expect(exact.chosen.map((x) => x.ref).sort()).toEqual(['reg/b:1', 'reg/c:1']);
    expect(exact.secondsSavedPerWeek).toBe(2000);
    const greedy = chooseImages({ images, budgetBytes: 200, bandwidthBytesPerSecond: 1 }, { exactLimit: 0 });
    expect(greedy.method).toBe('greedy');
    expect(greedy.secondsSavedPerWeek).toBe(1110);
  });
});

/** Every subset, by brute force, written apart from the search under test. */
function bruteForce(images: ChoiceImage[], budget: number): { seconds: number; bytes: number } {
  const required = images.filter((i) => i.required);
  const optional = images.filter((i) => !i.required);
  let best = { seconds: -1, bytes: 0 };
  for (let mask = 0; mask < 1 << optional.length; mask++) {
    const set = [...required, ...optional.filter((_, k) => mask & (1 << k))];
    const layers = new Map<string, number>();
    for (const image of set) for (const l of image.layers) layers.set(l.digest, l.bytes);
    const bytes = [...layers.values()].reduce((x, y) => x + y, 0);
    // The required images are in whatever they cost; the others must fit what the budget leaves.
    if (bytes > Math.max(budget, requiredBytes(required))) continue;
    let seconds = 0;
    for (const [digest, size] of layers) {
      seconds +=
        size * images.filter((i) => i.layers.some((l) => l.digest === digest)).reduce((x, i) => x + i.runsPerWeek, 0);
    }
    if (seconds > best.seconds) best = { seconds, bytes };
  }
  return best;
}

function requiredBytes(required: ChoiceImage[]): number {
  const layers = new Map(required.flatMap((r) => r.layers.map((l) => [l.digest, l.bytes] as const)));
  return [...layers.values()].reduce((x, y) => x + y, 0);
}

/** A small deterministic generator (mulberry32), so a failing case can be replayed from its seed. */
function rng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('chooseImages against brute force', () => {
  it('finds the optimum on 200 random small cases with shared layers and a required base', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = rng(seed);
      const pool = Array.from({ length: 8 }, (_, k) => layer(`sha256:l${k}`, 1 + Math.floor(random() * 100)));
      const images: ChoiceImage[] = Array.from({ length: 2 + Math.floor(random() * 7) }, (_, k) => ({
        ref: `reg/i${k}:1`,
        layers: pool.filter(() => random() < 0.35),
        runsPerWeek: Math.floor(random() * 20),
        ...(k === 0 && random() < 0.5 ? { required: true } : {}),
      }));
      const budget = Math.floor(random() * 400);
      const choice = chooseImages({ images, budgetBytes: budget, bandwidthBytesPerSecond: 1 });
      const best = bruteForce(images, budget);
      expect({ seed, seconds: choice.secondsSavedPerWeek }).toEqual({ seed, seconds: best.seconds });
      expect(choice.totalBytes).toBeLessThanOrEqual(Math.max(budget, requiredBytes(images.filter((i) => i.required))));
    }
  });
});
