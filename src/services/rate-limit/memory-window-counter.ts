import type { WindowCount, WindowCounter } from './window-counter.js';

/** Keys counted at once, at most; beyond, windows that have ended are dropped, and if none has, all of them. */
export const MAX_COUNTED_KEYS = 100_000;

interface Window {
  total: number;
  readonly endsAt: number;
}

/** Counters of one process (no Redis configured): each replica counts its own requests. */
export class MemoryWindowCounter implements WindowCounter {
  readonly #windows = new Map<string, Window>();

  constructor(
    private readonly maxKeys: number = MAX_COUNTED_KEYS,
    private readonly now: () => number = Date.now,
  ) {}

  hit(key: string, amount: number, windowMs: number): WindowCount {
    const now = this.now();
    let window = this.#windows.get(key);
    if (!window || window.endsAt <= now) {
      if (!window && this.#windows.size >= this.maxKeys) this.#forgetEnded(now);
      window = { total: 0, endsAt: now + windowMs };
      this.#windows.set(key, window);
    }
    window.total += amount;
    return { total: window.total, resetMs: window.endsAt - now };
  }

  #forgetEnded(now: number): void {
    for (const [key, window] of this.#windows) if (window.endsAt <= now) this.#windows.delete(key);
    // Every window still running: a flood of distinct keys; starting over is the bounded answer.
    if (this.#windows.size >= this.maxKeys) this.#windows.clear();
  }

  async close(): Promise<void> {
    this.#windows.clear();
  }
}
