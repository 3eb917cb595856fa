/** setTimeout's largest delay; a longer one would fire at once. Longer timeouts count as none. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * One call's end: its timeout and the caller's signal as one signal, for fetch and for the waits between retries,
 * knowing which of the two ended it. Written out rather than `AbortSignal.any([signal, AbortSignal.timeout(ms)])`,
 * which cannot say which fired, and whose timer cannot be cleared when the call ends first.
 */
export class CallSignal {
  readonly #controller = new AbortController();
  readonly #deadline: number;
  readonly #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #caller: AbortSignal | undefined;
  readonly #onCallerAbort = () => this.#controller.abort();
  #timedOut = false;

  constructor(timeoutMs: number, caller?: AbortSignal) {
    this.#caller = caller;
    const bounded = timeoutMs <= MAX_TIMER_MS;
    this.#deadline = bounded ? performance.now() + timeoutMs : Infinity;
    this.#timer = bounded
      ? setTimeout(() => {
          this.#timedOut = true;
          this.#controller.abort();
        }, timeoutMs)
      : undefined;
    if (caller?.aborted) this.#controller.abort();
    else caller?.addEventListener('abort', this.#onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Why the call ended early: the caller's signal, or the timeout. */
  get reason(): 'aborted' | 'timeout' {
    return this.#timedOut && !this.#caller?.aborted ? 'timeout' : 'aborted';
  }

  /** What is left of the call's time, in ms. */
  remainingMs(): number {
    return this.#deadline - performance.now();
  }

  /** Waits `ms`, or less if the call ends first (then rejects). */
  wait(ms: number): Promise<void> {
    const { signal } = this;
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Ends the timer and stops listening to the caller's signal: called once the call is over. */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#caller?.removeEventListener('abort', this.#onCallerAbort);
  }
}
