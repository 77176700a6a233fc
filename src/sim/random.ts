import { createHash } from 'node:crypto';

/** Seeded randomness so a demo run or a test replays the very same timings and ids every time. */
export interface SimRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max], rounded to whole milliseconds or units. */
  between(min: number, max: number): number;
  hex(length: number): string;
}

export function createRandom(seed: number): SimRandom {
  // mulberry32: tiny, fast and good enough for jitter; not for anything secret.
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    between: (min, max) => Math.round(min + next() * (max - min)),
    hex: (length) => Array.from({ length }, () => Math.floor(next() * 16).toString(16)).join(''),
  };
}

/** Stable pseudo-random hex derived from a text (digests and layer ids of a given image reference). */
export function hashHex(text: string, length = 64): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += createHash('sha256').update(`${i}:${text}`).digest('hex');
  return out.slice(0, length);
}

/** Stable number in [0, 1) derived from a text. */
export function hashUnit(text: string): number {
  return Number.parseInt(hashHex(text, 8), 16) / 4_294_967_296;
}

export interface SimIds {
  instance(): string;
  image(): string;
  snapshot(): string;
  volume(): string;
  command(): string;
  job(): string;
  launchTemplate(): string;
  /** EKS update ids are UUIDs. */
  update(): string;
}

/** AWS-shaped ids (`i-` + 17 hex, SSM command UUIDs) and Domino-shaped ObjectId hex ids. */
export function createIds(random: SimRandom): SimIds {
  const uuid = () => {
    const h = random.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  };
  return {
    instance: () => `i-${random.hex(17)}`,
    image: () => `ami-${random.hex(17)}`,
    snapshot: () => `snap-${random.hex(17)}`,
    volume: () => `vol-${random.hex(17)}`,
    command: uuid,
    job: () => random.hex(24),
    launchTemplate: () => `lt-${random.hex(17)}`,
    update: uuid,
  };
}
