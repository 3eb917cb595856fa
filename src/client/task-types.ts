import type { CallOptions } from './options.js';
import type { OperationAnswer } from './operation-types.js';

/** Where a task is in its life: pending → running → completed, failed or cancelled. */
export type TaskStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

/** A task as `/tasks` answers it (get_task's answer): status, times, attempts, worker, progress, result or error. */
export type TaskAnswer = OperationAnswer<'get_task'>;

/** The queue's statistics, as `GET /tasks` answers them (get_queue_stats' answer). */
export type QueueStatsAnswer = OperationAnswer<'get_queue_stats'>;

export interface SubmitTaskOptions extends CallOptions {
  /** Most attempts, 1 – 20 (default: the server's TASK_ATTEMPTS); only transient failures are tried again. */
  readonly attempts?: number;
  /** Longest one attempt may run, in seconds, up to 86,400 (default: the server's TASK_TIMEOUT). */
  readonly timeout?: number;
}

export interface WaitForTaskOptions {
  /** Stops waiting (the task goes on: cancel it with `tasks.cancel`); the wait fails with code `aborted`. */
  readonly signal?: AbortSignal;
  /** The longest wait, in ms (default 900,000: a quarter of an hour; Infinity: until the task ends). */
  readonly timeoutMs?: number;
  /** The first pause between two polls, in ms (default 100); each pause is 1.5 times the last. */
  readonly initialIntervalMs?: number;
  /** The longest pause between two polls, in ms (default 2,000). */
  readonly maxIntervalMs?: number;
  /** Called with the task after each poll that finds it unfinished (its `progress`, for a training). */
  readonly onPoll?: (task: TaskAnswer) => void;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 15 * 60 * 1000;
export const DEFAULT_INITIAL_POLL_MS = 100;
export const DEFAULT_MAX_POLL_MS = 2_000;
/** How much longer each pause between polls is than the last. */
export const POLL_BACKOFF_FACTOR = 1.5;

export function isFinishedStatus(status: unknown): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}
