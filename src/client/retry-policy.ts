import type { RetrySettings } from './options.js';

/** What a retry is decided on: the refusal's status and Retry-After, and whether the request changes anything. */
export interface RetryQuestion {
  readonly status: number;
  /** Seconds, from the refusal's Retry-After. */
  readonly retryAfter: number | undefined;
  /** The request reads only (a GET, an operation that changes nothing): repeating it cannot do anything twice. */
  readonly safe: boolean;
  /** Retries made already. */
  readonly retriesMade: number;
  /** What is left of the call's time, in ms. */
  readonly remainingMs: number;
}

/**
 * How long to wait before trying a refused request again, in ms, or undefined to throw the refusal now.
 *
 * Only 429 and 503 are retried: every other status says the request itself is wrong (or the server broke) and
 * would be refused again. A DREDGE server answers 429 before acting on a request — its rate limit is counted
 * before the params are read, heavy work is charged before it starts, a tenant's full queue refuses before
 * queueing — so a 429 is retried whatever the request. A 503 with Retry-After is equally a refusal made before
 * anything was done (the body budget refuses before reading the body, a full compute pool before building the
 * work, a closing server before routing). A 503 without Retry-After is a store or queue that did not answer in
 * time: a write may have landed all the same (a submission that timed out may have been queued), so it is
 * retried only for a request that changes nothing.
 *
 * A wait longer than `maxDelayMs`, or than the call has left, is not waited: the refusal is thrown at once, with
 * its `retryAfter` for the caller to act on.
 */
export function retryDelay(
  question: RetryQuestion,
  settings: RetrySettings,
  random = Math.random,
): number | undefined {
  const { status, retryAfter, safe, retriesMade, remainingMs } = question;
  if (status !== 429 && status !== 503) return undefined;
  if (retriesMade >= settings.maxRetries) return undefined;
  if (status === 503 && retryAfter === undefined && !safe) return undefined;
  const delay = retryAfter === undefined ? backoff(settings, retriesMade, random) : retryAfter * 1000;
  if (delay > settings.maxDelayMs || delay >= remainingMs) return undefined;
  return delay;
}

/**
 * Exponential backoff with jitter (half to all of base × 2ⁿ, at most `maxDelayMs`), so that clients refused
 * together do not all come back at the same moment.
 */
function backoff(settings: RetrySettings, retriesMade: number, random: () => number): number {
  const full = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** retriesMade);
  return Math.round(full * (0.5 + random() / 2));
}
