import { cos, log, sin } from '../math/deterministic-math.js';
import { ComputeInputError } from '../errors.js';

/**
 * A small seedable generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state,
 * passes PractRand/BigCrush) seeded through splitmix32, with Box–Muller normals. Chosen because it is tiny,
 * fast in 32-bit JavaScript arithmetic and well known; the same seed gives the same stream on every engine,
 * which is what makes "same seed → same model" hold across processes, workers and browsers.
 */

/** Largest accepted seed: seeds are non-negative safe integers. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class SeededRandom {
  readonly seed: number;
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  /** Box–Muller makes normals in pairs; the second waits here. */
  #spareNormal: number | undefined;

  constructor(seed: number) {
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
      throw new ComputeInputError(
        'seed',
        `seed must be an integer from 0 to ${MAX_SEED} (got ${String(seed)})`,
      );
    }
    this.seed = seed;
    // Both halves of the seed feed the state, so seeds that differ only above bit 32 differ.
    const high = Math.floor(seed / 0x1_0000_0000);
    const mix = splitmix32(seed ^ Math.imul(high, 0x27d4eb2d));
    this.#a = mix();
    this.#b = mix();
    this.#c = mix() ^ high;
    this.#d = mix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const a = this.#a;
    const b = this.#b;
    const c = this.#c;
    const d = this.#d;
    const t = (((a + b) | 0) + d) | 0;
    this.#d = (d + 1) | 0;
    this.#a = b ^ (b >>> 9);
    this.#b = (c + (c << 3)) | 0;
    const rotated = (c << 21) | (c >>> 11);
    this.#c = (rotated + t) | 0;
    return t >>> 0;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform on [low, high). */
  uniformRange(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Standard normal N(0, 1). */
  normal(): number {
    const spare = this.#spareNormal;
    if (spare !== undefined) {
      this.#spareNormal = undefined;
      return spare;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log stays finite
    const u2 = this.uniform();
    const radius = Math.sqrt(-2 * log(u1));
    const angle = 2 * Math.PI * u2;
    this.#spareNormal = radius * sin(angle);
    return radius * cos(angle);
  }
}

/** A seed for callers that did not ask for one: from the platform's crypto source when there is one. */
export function randomSeed(): number {
  const crypto = (globalThis as { crypto?: { getRandomValues?: (a: Uint32Array) => Uint32Array } }).crypto;
  if (crypto?.getRandomValues) {
    const words = crypto.getRandomValues(new Uint32Array(2));
    return ((words[0] as number) & 0x1fffff) * 0x1_0000_0000 + (words[1] as number);
  }
  return Math.floor(Math.random() * MAX_SEED);
}

/** Anything a model constructor accepts as its source of randomness. */
export type RandomSource = SeededRandom | number | undefined;

export function toRandom(source: RandomSource): SeededRandom {
  if (source instanceof SeededRandom) return source;
  return new SeededRandom(source ?? randomSeed());
}
