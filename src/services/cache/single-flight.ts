/**
 * Coalesces concurrent work for the same key: while a run for a key is in flight, further calls for that key get
 * the same promise instead of starting their own. A run's entry is removed the moment it settles, whether it
 * resolved or rejected, so a failure is never remembered and the map holds only what is in flight right now.
 */
export class SingleFlight<K, V> {
  private readonly flights = new Map<K, Promise<V>>();

  /** Runs in flight now. */
  get size(): number {
    return this.flights.size;
  }

  /** `leader` is true for the call that started the work, false for calls that joined it. */
  run(key: K, work: () => Promise<V>): { readonly promise: Promise<V>; readonly leader: boolean } {
    const existing = this.flights.get(key);
    if (existing !== undefined) return { promise: existing, leader: false };
    // `work` starts in a microtask, after the entry is in the map: even work that throws synchronously settles
    // after registration, so its removal can never run first and leave a dead entry behind.
    const promise = Promise.resolve()
      .then(work)
      .finally(() => this.flights.delete(key));
    this.flights.set(key, promise);
    return { promise, leader: true };
  }
}
