import type { AttemptOutcome } from './run-attempt.js';

/** How transient failures are retried: at most `attempts` attempts, waiting `backoffMs` × 2^(n−1) before the n-th retry. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly backoffMs: number;
}

/** The wait before the next attempt after `attemptsMade` attempts (the same curve BullMQ's exponential backoff draws). */
export function retryDelayMs(policy: RetryPolicy, attemptsMade: number): number {
  // Capped at the longest wait a timer can hold (about 24.8 days): beyond it Node fires at once.
  return Math.min(MAX_TIMER_MS, policy.backoffMs * 2 ** Math.max(0, attemptsMade - 1));
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Whether an attempt, the `attempt`-th of at most `maxAttempts`, earns another: a transient failure, with attempts left. */
export function shouldRetry(outcome: AttemptOutcome, attempt: number, maxAttempts: number): boolean {
  return outcome.kind === 'failed' && outcome.transient && attempt < maxAttempts;
}
