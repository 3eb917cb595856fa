/** A count in a fixed window, after a hit: how many so far, and when the window ends. */
export interface WindowCount {
  readonly total: number;
  /** Milliseconds until the window ends and the count starts again. */
  readonly resetMs: number;
}

/**
 * Counters in fixed windows, one per key: the first hit of a key starts its window of `windowMs`. Fixed windows
 * (rather than sliding ones) cost one increment per hit, in memory or in Redis, and a client can at worst spend
 * two windows' allowance across one boundary, which the README says.
 */
export interface WindowCounter {
  /** Adds `amount` to `key`'s count; in memory the answer is at hand (no promise), in Redis it is awaited. */
  hit(key: string, amount: number, windowMs: number): WindowCount | Promise<WindowCount>;
  close(): Promise<void>;
}
