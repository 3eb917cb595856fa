import { DredgeError } from '../../services/errors.js';
import type { WindowCount, WindowCounter } from '../../services/rate-limit/index.js';
import type { Logger } from '../../services/telemetry/index.js';

export interface RateLimitSettings {
  /** RATE_LIMIT_ENABLED: off, nothing is counted. */
  readonly enabled: boolean;
  /** RATE_LIMIT_REQUESTS: operations per key (or client address) per window. */
  readonly requests: number;
  /** RATE_LIMIT_WINDOW, in ms. */
  readonly windowMs: number;
  /** RATE_LIMIT_WORK: multiply-adds of heavy work (above COMPUTE_INLINE_WORK) per tenant per window. */
  readonly work: number;
}

/**
 * Whom an operation counts against: its API key, or the client's address when it presents none (authentication
 * off). The same rule for operations (`RequestContext.rateKey`) and for routes that answer by themselves.
 */
export function rateKeyOf(keyId: string | undefined, client: string): string {
  return keyId === undefined ? `address:${client}` : `key:${keyId}`;
}

/** How often, at most, a counter that fails (Redis away) is logged: the requests go through meanwhile. */
const FAILURE_LOG_INTERVAL_MS = 60_000;

/**
 * The rate limits, counted per operation inside `runOperation`, so that every door counts the same way: each call
 * of a JSON-RPC batch, each task submitted and each operation of an HTTP request counts one against its caller
 * (`RequestContext.rateKey`: the API key, or the client's address without authentication), and heavy work counts
 * its multiply-adds against its tenant. Over either, 429 `rate_limited` with the seconds until the window ends
 * (Retry-After over HTTP). Counters live in Redis when Redis is configured, so every replica counts together;
 * when Redis does not answer, requests go through (an outage of the counter must not become an outage of the
 * service) and a warning says so once a minute.
 */
export class RateLimits {
  #lastFailureLog = -Infinity;

  constructor(
    private readonly counter: WindowCounter,
    private readonly settings: RateLimitSettings,
    private readonly logger: Logger,
  ) {}

  get enabled(): boolean {
    return this.settings.enabled;
  }

  /**
   * Counts one operation against `rateKey` (nothing when limits are off or the request was counted already: a
   * queued task was counted when it was submitted). Throws the 429 beyond RATE_LIMIT_REQUESTS. Answers without a
   * promise when the count is in memory.
   */
  admit(rateKey: string | undefined): void | Promise<void> {
    if (!this.settings.enabled || rateKey === undefined) return;
    const { requests, windowMs } = this.settings;
    return this.#check(`ops:${rateKey}`, 1, requests, (count) => {
      const seconds = retryAfterSeconds(count);
      return new DredgeError(
        'rate_limited',
        `Rate limit reached: ${requests} operations per ${windowMs / 1000} s for this ` +
          `${rateKey.startsWith('key:') ? 'API key' : 'client address'} (RATE_LIMIT_REQUESTS); try again in ${seconds} s.`,
        { retryAfterSeconds: seconds },
      );
    });
  }

  /** Counts `work` multiply-adds of heavy work against `tenant`; throws the 429 beyond RATE_LIMIT_WORK. */
  charge(tenant: string, work: number): void | Promise<void> {
    if (!this.settings.enabled) return;
    const { work: budget, windowMs } = this.settings;
    return this.#check(`work:${tenant}`, Math.ceil(work), budget, (count) => {
      const seconds = retryAfterSeconds(count);
      return new DredgeError(
        'rate_limited',
        `Work budget reached: ${budget.toExponential()} multiply-adds of heavy work per ${windowMs / 1000} s for ` +
          `this tenant (RATE_LIMIT_WORK); try again in ${seconds} s.`,
        { retryAfterSeconds: seconds },
      );
    });
  }

  close(): Promise<void> {
    return this.counter.close();
  }

  #check(
    key: string,
    amount: number,
    limit: number,
    refusal: (count: WindowCount) => DredgeError,
  ): void | Promise<void> {
    let counted: WindowCount | Promise<WindowCount>;
    try {
      counted = this.counter.hit(key, amount, this.settings.windowMs);
    } catch (error) {
      return this.#failedOpen(error);
    }
    if (!(counted instanceof Promise)) {
      if (counted.total > limit) throw refusal(counted);
      return;
    }
    return counted.then(
      (count) => {
        if (count.total > limit) throw refusal(count);
      },
      (error: unknown) => this.#failedOpen(error),
    );
  }

  #failedOpen(error: unknown): void {
    const now = Date.now();
    if (now - this.#lastFailureLog < FAILURE_LOG_INTERVAL_MS) return;
    this.#lastFailureLog = now;
    this.logger.warn(
      { err: error },
      'rate limits could not be counted (Redis not answering): requests go through uncounted meanwhile',
    );
  }
}

/** Whole seconds until the window ends, at least one (Retry-After takes whole seconds). */
function retryAfterSeconds(count: WindowCount): number {
  return Math.max(1, Math.ceil(count.resetMs / 1000));
}
