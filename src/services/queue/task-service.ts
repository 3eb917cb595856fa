import type { TaskExecutor } from './task-job.js';

/**
 * Queued tasks: the same interface whether they run in this process (QUEUE_BACKEND=local) or on `dredge worker`
 * processes taking them from a BullMQ queue on Redis (QUEUE_BACKEND=bullmq).
 */

/** A task's life: pending → running → completed, failed or cancelled (a retried task goes back to pending). */
export type TaskState = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface TaskFailure {
  /** The stable error code (`invalid_input`, `not_found`, `unavailable`, `timeout`, `internal` …). */
  readonly code: string;
  readonly message: string;
}

/** What `get_task` and `GET /tasks/:id` answer. Times are ISO 8601; absent ones are null. */
export interface TaskView {
  readonly task_id: string;
  readonly operation: string;
  readonly status: TaskState;
  readonly created_at: string;
  readonly started_at: string | null;
  readonly completed_at: string | null;
  /** Attempts made so far, and the most allowed (transient failures are retried with exponential backoff). */
  readonly attempts: number;
  readonly max_attempts: number;
  /** The operation's answer (its JSON object) once completed. */
  readonly result: unknown;
  readonly error: TaskFailure | null;
  /** Which worker ran (or runs) it. */
  readonly worker: string | null;
  /** The latest progress its operation reported while running (trainings and benchmarks report it). */
  readonly progress: { readonly progress: number; readonly total: number; readonly message?: string } | null;
}

export interface SubmitOptions {
  readonly tenant: string;
  /** W3C traceparent of the submitting request, so the task's spans join its trace. */
  readonly traceparent?: string;
  /** Most attempts (1 = no retry). */
  readonly attempts?: number;
  /** Longest one attempt may run, in ms. */
  readonly timeoutMs?: number;
}

export interface QueueStats {
  readonly backend: 'local' | 'bullmq';
  /** Tasks waiting for a worker (the queue depth). */
  readonly waiting: number;
  readonly running: number;
  /** Tasks waiting out a retry backoff. */
  readonly delayed: number;
  readonly completed: number;
  readonly failed: number;
  /** Workers able to take tasks now (this process, or live `dredge worker` processes). */
  readonly workers: number;
  /** Most tasks running at once across those workers. */
  readonly concurrency: number;
}

export interface TaskService {
  readonly backend: 'local' | 'bullmq';
  /**
   * Starts running queued tasks in this process with `executor` (once): the local engine's workers. A BullMQ
   * service only submits (its tasks run on `dredge worker` processes, `createTaskWorker`), so there it does nothing.
   */
  start(executor: TaskExecutor): void;
  /** Queues one catalogue operation; a full queue fails at once with `unavailable`. */
  submit(operation: string, params: unknown, options: SubmitOptions): Promise<TaskView>;
  /**
   * The task, or undefined when unknown, expired or (given `tenant`) another tenant's: a door always names the
   * caller's tenant, so another tenant's task is as unknown as a made-up id. Without a tenant, any task (the
   * process's own bookkeeping: the batch runner, which is the default tenant's).
   */
  get(id: string, tenant?: string): Promise<TaskView | undefined>;
  /** Resolves once the task has finished (completed, failed or cancelled), or after `timeoutMs` with its state then. */
  wait(id: string, timeoutMs: number): Promise<TaskView | undefined>;
  /** Cancels a task that has not finished; answers its state afterwards (undefined when unknown, as `get`). */
  cancel(id: string, tenant?: string): Promise<TaskView | undefined>;
  /**
   * The queue's numbers: of every task, or (given `tenant`, with MULTI_TENANT_ENABLED) of that tenant's tasks
   * only. The workers and their concurrency are shared by every tenant and always counted in full.
   */
  stats(tenant?: string): Promise<QueueStats>;
  close(): Promise<void>;
}

/** Whether a task in `state` has ended (completed, failed or cancelled). */
export function isFinished(state: TaskState): boolean {
  return state === 'completed' || state === 'failed' || state === 'cancelled';
}
