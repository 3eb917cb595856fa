/**
 * The `fetch` the client sends with: the platform's by default. Inject one for tests, a custom agent or dispatcher
 * (a private certificate authority, a proxy), or a runtime without a global fetch.
 */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** How refused requests are retried: only 429 and 503, see `retry-policy.ts`. */
export interface RetryOptions {
  /** Retries after the first try, at most (default 2; 0 retries nothing). */
  readonly maxRetries?: number;
  /**
   * The longest wait before a retry, in ms (default 10,000). A Retry-After longer than this is not waited for: the
   * refusal is thrown at once, with its `retryAfter`, for the caller to decide.
   */
  readonly maxDelayMs?: number;
  /** The first wait when the server gave no Retry-After, in ms (default 500), doubled at every retry. */
  readonly baseDelayMs?: number;
}

/** What every client takes. */
export interface ClientOptions {
  /** The server's URL: `http://localhost:3002` for the MCP server, `http://localhost:3001` for the DREDGE server. */
  readonly baseUrl: string;
  /** An API key (`dredge keys create`, or API_KEY), sent as `Authorization: Bearer …`; needed with AUTH_ENABLED. */
  readonly apiKey?: string;
  readonly fetch?: FetchLike;
  /** The longest a call may take, retries and their waits included, in ms (default 60,000; Infinity: none). */
  readonly timeoutMs?: number;
  readonly retry?: RetryOptions;
  /** The largest answer read, in bytes (default 64 MiB); a larger one fails with `response_too_large`. */
  readonly maxResponseBytes?: number;
  /** Headers sent with every request (a proxy's, a tracing header); `Authorization` comes from `apiKey`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What each call may set for itself. */
export interface CallOptions {
  /** Aborts the call (and any wait for a retry): it fails with code `aborted`. */
  readonly signal?: AbortSignal;
  /** This call's own limit, in ms, in place of the client's `timeoutMs`. */
  readonly timeoutMs?: number;
  /** This call's own retry settings, over the client's. */
  readonly retry?: RetryOptions;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_MAX_RETRY_DELAY_MS = 10_000;
export const DEFAULT_BASE_RETRY_DELAY_MS = 500;
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** The retry settings in force, every one given. */
export type RetrySettings = Required<RetryOptions>;

export function retrySettings(...layers: (RetryOptions | undefined)[]): RetrySettings {
  const merged: RetrySettings = {
    maxRetries: DEFAULT_MAX_RETRIES,
    maxDelayMs: DEFAULT_MAX_RETRY_DELAY_MS,
    baseDelayMs: DEFAULT_BASE_RETRY_DELAY_MS,
  };
  for (const layer of layers) Object.assign(merged, definedOnly(layer ?? {}));
  requireWhole('retry.maxRetries', merged.maxRetries, 0, 100);
  requireNonNegative('retry.maxDelayMs', merged.maxDelayMs);
  requireNonNegative('retry.baseDelayMs', merged.baseDelayMs);
  return merged;
}

/** A timeout in ms: positive, or Infinity for none. */
export function checkedTimeout(name: string, value: number): number {
  if (!(value > 0)) throw new RangeError(`${name} must be a positive number of milliseconds (or Infinity)`);
  return value;
}

export function requireWhole(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a whole number from ${min} to ${max}`);
  }
}

function requireNonNegative(name: string, value: number): void {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number of milliseconds, 0 or more`);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
