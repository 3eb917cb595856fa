import { DredgeError } from '../errors.js';
import { oversizedResult } from './result-size.js';
import type { TaskExecutor, TaskJob, TaskProgress } from './task-job.js';
import type { TaskFailure } from './task-service.js';

export type AttemptOutcome =
  | { readonly kind: 'completed'; readonly json: string }
  | { readonly kind: 'failed'; readonly failure: TaskFailure; readonly transient: boolean }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'timeout'; readonly failure: TaskFailure };

/**
 * One attempt at a task: the executor races its timeout and its cancellation. Both abort the signal the operation
 * sees (a training on a worker thread ends its thread), and the attempt ends at once either way, so an operation
 * that ignores its signal cannot hold a worker past its timeout.
 */
export async function runAttempt(
  executor: TaskExecutor,
  job: TaskJob,
  options: {
    readonly timeoutMs: number;
    /** TASK_RESULT_MAX_BYTES: a larger answer fails the attempt with `too_large` (see oversizedResult). */
    readonly maxResultBytes: number;
    readonly cancel: AbortSignal;
    readonly onProgress?: (progress: TaskProgress) => void;
  },
): Promise<AttemptOutcome> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  const signal = AbortSignal.any([options.cancel, timeout.signal]);
  let stop: (() => void) | undefined;
  const stopped = new Promise<'stopped'>((resolve) => {
    stop = () => resolve('stopped');
    signal.addEventListener('abort', stop, { once: true });
  });
  try {
    const running = executor(job, signal, options.onProgress ?? ignoreProgress);
    // Once stopped, the attempt no longer waits for the operation: its late failure must not go unhandled.
    running.catch(() => undefined);
    const answer = await Promise.race([running, stopped]);
    if (answer !== 'stopped') {
      const oversized = oversizedResult(job.operation, answer, options.maxResultBytes);
      if (oversized) return { kind: 'failed', failure: oversized, transient: false };
      return { kind: 'completed', json: answer };
    }
  } catch (error) {
    if (!signal.aborted) return failedWith(error);
  } finally {
    clearTimeout(timer);
    if (stop) signal.removeEventListener('abort', stop);
  }
  if (options.cancel.aborted) return { kind: 'cancelled' };
  return {
    kind: 'timeout',
    failure: {
      code: 'timeout',
      message: `${job.operation} ran longer than the task timeout (${options.timeoutMs / 1000} s).`,
    },
  };
}

function ignoreProgress(): void {}

/** Only what may work later (`unavailable`: a dependency away, a full pool) is retried: the rest would fail again. */
function failedWith(error: unknown): AttemptOutcome {
  if (error instanceof DredgeError) {
    return {
      kind: 'failed',
      failure: { code: error.code, message: error.message },
      transient: error.retryable,
    };
  }
  return {
    kind: 'failed',
    failure: { code: 'internal', message: 'The task failed unexpectedly; it has been logged.' },
    transient: false,
  };
}
