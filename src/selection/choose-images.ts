/**
 * The choice of images under a disk budget, counting shared layers once.
 *
 * The model: a run of image j on a new executor pulls every layer of j the AMI lacks. A layer ℓ on the AMI saves
 * bytes(ℓ) ÷ bandwidth seconds for every run of every image that has ℓ, chosen or not (an environment built on a
 * baked base image pulls only its own top layers). So the seconds saved per week by a set S of images are
 * Σ over the layers of S of weight(ℓ) = bytes(ℓ) × runsPerWeek(images with ℓ) ÷ bandwidth, and S costs the bytes of
 * the union of its layers. Maximising that under the budget is a knapsack over overlapping sets: exact search
 * (branch and bound) for up to EXACT_LIMIT optional images, above that greedy by marginal seconds per marginal byte,
 * kept only if it beats the best single image (the classic guard that makes greedy at least half the optimum).
 */

export interface ChoiceImage {
  ref: string;
  /** Layer digests and sizes (duplicates within one image count once). */
  layers: ReadonlyArray<{ digest: string; bytes: number }>;
  runsPerWeek: number;
  /** Always on the AMI (the configured base images), whatever the budget. */
  required?: boolean;
}

export interface ChoiceInput {
  images: readonly ChoiceImage[];
  budgetBytes: number;
  bandwidthBytesPerSecond: number;
}

export interface ChosenImage {
  ref: string;
  required: boolean;
  /** Bytes this image adds on top of the images listed before it. */
  marginalBytes: number;
  /** Seconds per week its marginal layers save, over every run that uses them. */
  marginalSecondsPerWeek: number;
}

export interface LeftOutImage {
  ref: string;
  /** Bytes it would add to the chosen set. */
  marginalBytes: number;
  marginalSecondsPerWeek: number;
  reason: 'over_budget' | 'no_benefit';
}

export interface Choice {
  chosen: ChosenImage[];
  leftOut: LeftOutImage[];
  totalBytes: number;
  secondsSavedPerWeek: number;
  method: 'exact' | 'greedy';
}

export const EXACT_LIMIT = 18;

interface Model {
  /** Per image: indices of its distinct layers. */
  layersOf: number[][];
  bytes: number[];
  weight: number[];
}

function buildModel(input: ChoiceInput): Model {
  const index = new Map<string, number>();
  const bytes: number[] = [];
  const layersOf = input.images.map((image) => {
    const ids = new Set<number>();
    for (const layer of image.layers) {
      let id = index.get(layer.digest);
      if (id === undefined) {
        id = bytes.length;
        index.set(layer.digest, id);
        bytes.push(layer.bytes);
      }
      ids.add(id);
    }
    return [...ids];
  });
  const runs = new Array<number>(bytes.length).fill(0);
  layersOf.forEach((ids, i) => {
    for (const id of ids) runs[id]! += input.images[i]!.runsPerWeek;
  });
  const weight = bytes.map((b, id) => (b * runs[id]!) / input.bandwidthBytesPerSecond);
  return { layersOf, bytes, weight };
}

/** Bytes and seconds image i adds when the layers marked in `has` are already on the AMI. */
function marginal(model: Model, has: ArrayLike<number>, i: number): { bytes: number; seconds: number } {
  let bytes = 0;
  let seconds = 0;
  for (const id of model.layersOf[i]!) {
    if (has[id]) continue;
    bytes += model.bytes[id]!;
    seconds += model.weight[id]!;
  }
  return { bytes, seconds };
}

/** Exact: depth-first over include/exclude with layer reference counts, bounded by the optimistic remainder. */
function exactSearch(model: Model, optional: number[], has: Uint8Array, budget: number): number[] {
  const count = Uint16Array.from(has);
  // Each image's seconds on an empty AMI bound what it can add later (weights are never negative).
  const alone = optional.map((i) => marginal(model, new Uint8Array(model.bytes.length), i).seconds);
  const suffix = alone.map((_, k) => alone.slice(k).reduce((a, b) => a + b, 0));
  let best: { seconds: number; bytes: number; set: number[] } = { seconds: 0, bytes: 0, set: [] };
  const set: number[] = [];
  const walk = (k: number, seconds: number, bytes: number) => {
    if (seconds > best.seconds + 1e-9 || (Math.abs(seconds - best.seconds) <= 1e-9 && bytes < best.bytes)) {
      best = { seconds, bytes, set: [...set] };
    }
    if (k === optional.length || seconds + suffix[k]! < best.seconds - 1e-9) return;
    const i = optional[k]!;
    const add = marginal(model, count, i);
    if (bytes + add.bytes <= budget) {
      for (const id of model.layersOf[i]!) count[id]! += 1;
      set.push(i);
      walk(k + 1, seconds + add.seconds, bytes + add.bytes);
      set.pop();
      for (const id of model.layersOf[i]!) count[id]! -= 1;
    }
    walk(k + 1, seconds, bytes);
  };
  walk(0, 0, 0);
  return best.set;
}

/** Greedy by marginal seconds per marginal byte (free images first), among those that still fit. */
function greedy(model: Model, optional: number[], start: Uint8Array, budget: number): number[] {
  const has = Uint8Array.from(start);
  const left = new Set(optional);
  const picked: number[] = [];
  let used = 0;
  for (;;) {
    let bestI = -1;
    let bestRatio = -1;
    for (const i of left) {
      const m = marginal(model, has, i);
      if (used + m.bytes > budget || (m.seconds <= 0 && m.bytes > 0)) continue;
      const ratio = m.bytes === 0 ? Number.POSITIVE_INFINITY : m.seconds / m.bytes;
      if (ratio > bestRatio) {
        bestRatio = ratio;
        bestI = i;
      }
    }
    if (bestI < 0) return picked;
    used += marginal(model, has, bestI).bytes;
    for (const id of model.layersOf[bestI]!) has[id] = 1;
    left.delete(bestI);
    picked.push(bestI);
  }
}

function secondsOf(model: Model, start: Uint8Array, set: number[]): number {
  const has = Uint8Array.from(start);
  let seconds = 0;
  for (const i of set) {
    seconds += marginal(model, has, i).seconds;
    for (const id of model.layersOf[i]!) has[id] = 1;
  }
  return seconds;
}

export function chooseImages(input: ChoiceInput, options: { exactLimit?: number } = {}): Choice {
  const model = buildModel(input);
  const required = input.images.flatMap((image, i) => (image.required ? [i] : []));
  const optional = input.images.flatMap((image, i) => (image.required ? [] : [i]));
  const has = new Uint8Array(model.bytes.length);
  const chosen: ChosenImage[] = [];
  let totalBytes = 0;
  let secondsSaved = 0;
  const take = (i: number) => {
    const m = marginal(model, has, i);
    for (const id of model.layersOf[i]!) has[id] = 1;
    totalBytes += m.bytes;
    secondsSaved += m.seconds;
    chosen.push({
      ref: input.images[i]!.ref,
      required: input.images[i]!.required === true,
      marginalBytes: m.bytes,
      marginalSecondsPerWeek: m.seconds,
    });
  };
  for (const i of required) take(i);
  const budget = Math.max(0, input.budgetBytes - totalBytes);

  const exact = optional.length <= (options.exactLimit ?? EXACT_LIMIT);
  let set: number[];
  if (exact) {
    set = exactSearch(model, optional, has, budget);
  } else {
    set = greedy(model, optional, has, budget);
    const single = optional
      .filter((i) => marginal(model, has, i).bytes <= budget)
      .reduce<{ i: number; s: number }>(
        (best, i) => {
          const s = marginal(model, has, i).seconds;
          return s > best.s ? { i, s } : best;
        },
        { i: -1, s: 0 },
      );
    if (single.i >= 0 && single.s > secondsOf(model, has, set)) set = [single.i];
  }
  // An image whose layers the chosen ones already bring costs nothing: take it (the AMI then has its tag too).
  const after = Uint8Array.from(has);
  for (const i of set) for (const id of model.layersOf[i]!) after[id] = 1;
  for (const i of optional) {
    if (!set.includes(i) && input.images[i]!.runsPerWeek > 0 && marginal(model, after, i).bytes === 0) set.push(i);
  }
  // Listed in greedy order within the chosen set, so each line's marginal bytes read as "what it adds".
  for (const i of greedy(model, set, has, Number.POSITIVE_INFINITY)) take(i);
  for (const i of set) if (!chosen.some((c) => c.ref === input.images[i]!.ref)) take(i);

  const remaining = Math.max(0, input.budgetBytes - totalBytes);
  const leftOut: LeftOutImage[] = optional
    .filter((i) => !set.includes(i))
    .map((i) => {
      const m = marginal(model, has, i);
      return {
        ref: input.images[i]!.ref,
        marginalBytes: m.bytes,
        marginalSecondsPerWeek: m.seconds,
        reason: m.bytes > remaining ? ('over_budget' as const) : ('no_benefit' as const),
      };
    })
    .sort((a, b) => b.marginalSecondsPerWeek - a.marginalSecondsPerWeek);
  return { chosen, leftOut, totalBytes, secondsSavedPerWeek: secondsSaved, method: exact ? 'exact' : 'greedy' };
}
