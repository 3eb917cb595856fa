/**
 * The fuzzer's random source: a small seeded PRNG, one per request (so request `i` of seed `s` is the same whatever
 * order the clients send them in), and the seed itself from FUZZ_SEED.
 */

/** mulberry32: a tiny, fast 32-bit PRNG with a good enough spread for choosing requests. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** An item chosen by weight: `[[weight, item], …]`. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    const total = items.reduce((sum, [weight]) => sum + weight, 0);
    let at = this.next() * total;
    for (const [weight, item] of items) {
      if ((at -= weight) < 0) return item;
    }
    return items[items.length - 1]![1];
  }

  /** `length` characters drawn from `alphabet`. */
  text(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
}

/** The random source of request `index` under `seed`: independent of the order requests are sent in. */
export function requestRng(seed: number, index: number): Rng {
  return new Rng((Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) >>> 0);
}

/** A seed from FUZZ_SEED (decimal or 0x hex), else a fresh one. */
export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.FUZZ_SEED?.trim();
  if (given) {
    const seed = Number(given);
    if (!Number.isFinite(seed)) throw new Error(`FUZZ_SEED must be a number; it is ${given}`);
    return seed >>> 0;
  }
  return (Math.random() * 2 ** 32) >>> 0;
}
