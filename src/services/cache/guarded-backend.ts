import type { Logger } from '../telemetry/logger.js';
import { errorMessage, type BackendStats, type CacheBackend } from './cache-backend.js';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';

export interface GuardedBackendOptions {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  readonly logger: Logger;
}

/** Thrown by the admin operations (stats, clear) while the circuit is open. */
export class CacheUnavailableError extends Error {
  constructor(backend: string) {
    super(`the ${backend} cache is unavailable (circuit open)`);
    this.name = 'CacheUnavailableError';
  }
}

/**
 * Puts a circuit breaker in front of a backend that can fail or hang (Redis). On the request path it never
 * rejects: while the circuit is closed a failed call is a miss (get, has), a skipped write (set) or false
 * (delete), and is counted towards opening; while it is open or half-open those calls return at once without
 * touching the backend. The breaker's own timer probes the backend with `ping` until it answers.
 * stats and clear are administrative, so they reject with CacheUnavailableError instead of pretending.
 *
 * Logging is per transition, not per request: a warning when the circuit opens, info when it closes again.
 */
export class GuardedBackend implements CacheBackend {
  readonly type: CacheBackend['type'];
  readonly defaultTtlMs: number;
  private readonly breaker: CircuitBreaker;

  constructor(
    private readonly inner: CacheBackend,
    options: GuardedBackendOptions,
  ) {
    this.type = inner.type;
    this.defaultTtlMs = inner.defaultTtlMs;
    const log = options.logger;
    this.breaker = new CircuitBreaker({
      failureThreshold: options.failureThreshold,
      cooldownMs: options.cooldownMs,
      probe: () => inner.ping(),
      onStateChange: (from, to, error) => {
        if (to === 'open' && from === 'closed') {
          log.warn(
            { backend: inner.type, err: errorMessage(error), cooldownMs: options.cooldownMs },
            'cache backend failing: circuit opened; requests are computed without the cache until it answers again',
          );
        } else if (to === 'closed') {
          log.info({ backend: inner.type }, 'cache backend answers again: circuit closed');
        } else {
          log.debug({ backend: inner.type, from, to, err: errorMessage(error) }, 'cache circuit state');
        }
      },
    });
  }

  get circuitState(): CircuitState {
    return this.breaker.state;
  }

  async get(key: string): Promise<string | undefined> {
    if (!this.breaker.allows) return undefined;
    try {
      const value = await this.inner.get(key);
      this.breaker.recordSuccess();
      return value;
    } catch (error) {
      this.breaker.recordFailure(error);
      return undefined;
    }
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    if (!this.breaker.allows) return;
    try {
      await this.inner.set(key, value, ttlMs);
      this.breaker.recordSuccess();
    } catch (error) {
      this.breaker.recordFailure(error);
    }
  }

  async delete(key: string): Promise<boolean> {
    if (!this.breaker.allows) return false;
    try {
      const existed = await this.inner.delete(key);
      this.breaker.recordSuccess();
      return existed;
    } catch (error) {
      this.breaker.recordFailure(error);
      return false;
    }
  }

  async has(key: string): Promise<boolean> {
    if (!this.breaker.allows) return false;
    try {
      const present = await this.inner.has(key);
      this.breaker.recordSuccess();
      return present;
    } catch (error) {
      this.breaker.recordFailure(error);
      return false;
    }
  }

  clear(): Promise<void> {
    return this.admin(() => this.inner.clear());
  }

  stats(): Promise<BackendStats> {
    return this.admin(() => this.inner.stats());
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  prune(): Promise<number> {
    return this.admin(() => this.inner.prune());
  }

  async close(): Promise<void> {
    this.breaker.dispose();
    await this.inner.close();
  }

  private async admin<T>(operation: () => Promise<T>): Promise<T> {
    if (!this.breaker.allows) throw new CacheUnavailableError(this.inner.type);
    try {
      const result = await operation();
      this.breaker.recordSuccess();
      return result;
    } catch (error) {
      this.breaker.recordFailure(error);
      throw error;
    }
  }
}
