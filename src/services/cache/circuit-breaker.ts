import { requirePositiveInteger, requirePositiveNumber } from './cache-backend.js';

/**
 * closed: calls go through. open: calls are refused at once. half_open: one probe is in flight and calls are still
 * refused — a request never waits on a backend that has not proven it is back.
 */
export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before a probe is tried, in milliseconds. */
  readonly cooldownMs: number;
  /** The probe: resolves when the backend answers again. It must settle on its own (the Redis one is bounded by the command timeout). */
  readonly probe: () => Promise<void>;
  /** Called on every change of state; `error` is the failure that caused an opening. */
  readonly onStateChange?: (from: CircuitState, to: CircuitState, error?: unknown) => void;
}

/**
 * A consecutive-failure circuit breaker that probes on its own timer: once open, it tries `probe` every
 * `cooldownMs` until one succeeds, so recovery needs no traffic and no request is ever the one that waits.
 * The timer is unref'd so an open circuit never keeps the process alive.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly failureThreshold: number;
  private readonly cooldownMs: number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.failureThreshold = requirePositiveInteger('failureThreshold', options.failureThreshold);
    this.cooldownMs = requirePositiveNumber('cooldownMs', options.cooldownMs);
  }

  get state(): CircuitState {
    return this.current;
  }

  /** True when a call may go to the backend now. */
  get allows(): boolean {
    return this.current === 'closed';
  }

  recordSuccess(): void {
    // Successes of calls that started before the circuit opened do not close it: only a probe does.
    if (this.current === 'closed') this.failures = 0;
  }

  recordFailure(error: unknown): void {
    if (this.current !== 'closed') return;
    this.failures += 1;
    if (this.failures >= this.failureThreshold) this.open(error);
  }

  /** Stops probing; the breaker stays in its state and never changes again. */
  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private open(error: unknown): void {
    const from = this.current;
    this.current = 'open';
    this.failures = 0;
    this.options.onStateChange?.(from, 'open', error);
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.disposed) return;
    this.timer = setTimeout(() => void this.runProbe(), this.cooldownMs);
    this.timer.unref();
  }

  private async runProbe(): Promise<void> {
    this.timer = undefined;
    if (this.disposed || this.current !== 'open') return;
    this.current = 'half_open';
    this.options.onStateChange?.('open', 'half_open');
    try {
      await this.options.probe();
    } catch (error) {
      if (this.disposed) return;
      this.current = 'open';
      this.options.onStateChange?.('half_open', 'open', error);
      this.scheduleProbe();
      return;
    }
    if (this.disposed) return;
    this.current = 'closed';
    this.failures = 0;
    this.options.onStateChange?.('half_open', 'closed');
  }
}
