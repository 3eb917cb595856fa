import { randomUUID } from 'node:crypto';
import { DredgeError } from '../../errors.js';
import type { DredgeMetrics, Logger } from '../../telemetry/index.js';
import type { FinishedTasks } from '../finished-tasks.js';
import { queueFullOfBytes, queueFullOfTasks } from '../queue-full.js';
import { retryDelayMs, shouldRetry, type RetryPolicy } from '../retry-policy.js';
import { runAttempt } from '../run-attempt.js';
import { CANCELLED, endingOf, finishedView, type TaskEnding } from '../task-ending.js';
import type { TaskExecutor, TaskJob, TaskProgress } from '../task-job.js';
import type { QueueStats, SubmitOptions, TaskService, TaskView } from '../task-service.js';
import { TaskWaiters } from '../task-waiters.js';

export interface LocalTaskServiceOptions extends RetryPolicy {
  /** Tasks running at once (WORKER_CONCURRENCY). */
  readonly concurrency: number;
  /** Most tasks waiting (QUEUE_MAX_WAITING). */
  readonly maxWaiting: number;
  readonly timeoutMs: number;
  /** Name this process's tasks report as their worker. */
  readonly workerName: string;
}

/** How long a stopping server lets its running tasks finish before it stops them. */
export const CLOSE_GRACE_MS = 30_000;

/** Finished tasks kept in memory when the store would not take them, so get_task still answers for them. */
export const MAX_UNSAVED_TASKS = 10_000;

/** Most bytes of params (as JSON) the waiting tasks of one server may hold together. */
export const MAX_WAITING_BYTES = 256 * 1024 * 1024;

const STOPPED_BEFORE_RUN: TaskEnding = {
  status: 'failed',
  error: { code: 'unavailable', message: 'The server stopped before this task ran: submit it again.' },
};

const STOPPED_WHILE_RUNNING: TaskEnding = {
  status: 'failed',
  error: { code: 'unavailable', message: 'The server stopped while this task ran: submit it again.' },
};

/** A task this process still holds: waiting, running, or waiting out a retry backoff. */
interface LiveTask {
  readonly id: string;
  readonly job: TaskJob;
  readonly createdAt: number;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  /** Its params as JSON, in bytes: what it costs to hold while it waits. */
  readonly bytes: number;
  state: 'pending' | 'running';
  attempts: number;
  startedAt: number | null;
  progress: TaskProgress | null;
  cancel: AbortController;
  /** Stopped because the server stopped, not by a cancel_task: it is recorded as failed, to be submitted again. */
  stoppedByServer: boolean;
  /** Being recorded as finished: a second cancel (or anything else) must not finish it again. */
  finishing: boolean;
  retryTimer: NodeJS.Timeout | undefined;
}

/**
 * QUEUE_BACKEND=local: tasks run in this process, `concurrency` at a time (the heavy operations among them go on
 * to the worker-thread pool), with the same retries, timeouts, cancellation and stored results as the distributed
 * queue. Waiting tasks live in memory (bounded by `maxWaiting`): a task still waiting when the server stops is
 * recorded as failed with `unavailable`, never silently dropped. Tasks run once `start` has handed in the executor.
 */
export class LocalTaskService implements TaskService {
  readonly backend = 'local' as const;
  private readonly waiting: LiveTask[] = [];
  private readonly live = new Map<string, LiveTask>();
  private readonly waiters = new TaskWaiters();
  /** Finished tasks the store refused (it was away), newest last, at most MAX_UNSAVED_TASKS. */
  private readonly unsaved = new Map<string, TaskView>();
  private running = 0;
  /** Bytes of params held by tasks not finished yet (waiting, running or in backoff). */
  private waitingBytes = 0;
  private delayed = 0;
  private completed = 0;
  private failed = 0;
  private closed = false;
  private executor: TaskExecutor | undefined;

  constructor(
    private readonly finished: FinishedTasks,
    private readonly options: LocalTaskServiceOptions,
    private readonly metrics: DredgeMetrics,
    private readonly logger: Logger,
  ) {}

  start(executor: TaskExecutor): void {
    if (this.executor) throw new Error('The local task workers are started already.');
    this.executor = executor;
    this.pump();
  }

  async submit(operation: string, params: unknown, options: SubmitOptions): Promise<TaskView> {
    if (this.closed)
      throw new DredgeError('unavailable', 'The task queue is shutting down: try again later.');
    // Tasks waiting out a retry's backoff wait too: they count against the bound.
    if (this.waiting.length + this.delayed >= this.options.maxWaiting) {
      throw queueFullOfTasks(this.options.maxWaiting);
    }
    const bytes = Buffer.byteLength(JSON.stringify(params ?? null));
    if (this.waitingBytes + bytes > MAX_WAITING_BYTES) throw queueFullOfBytes(MAX_WAITING_BYTES);
    const task: LiveTask = {
      id: randomUUID(),
      job: {
        operation,
        params,
        tenant: options.tenant,
        ...(options.traceparent === undefined ? {} : { traceparent: options.traceparent }),
      },
      createdAt: Date.now(),
      maxAttempts: options.attempts ?? this.options.attempts,
      timeoutMs: options.timeoutMs ?? this.options.timeoutMs,
      bytes,
      state: 'pending',
      attempts: 0,
      startedAt: null,
      progress: null,
      cancel: new AbortController(),
      stoppedByServer: false,
      finishing: false,
      retryTimer: undefined,
    };
    this.live.set(task.id, task);
    this.waitingBytes += bytes;
    this.waiting.push(task);
    const submitted = this.view(task);
    this.pump();
    return submitted;
  }

  async get(id: string): Promise<TaskView | undefined> {
    const task = this.live.get(id);
    return task ? this.view(task) : (this.unsaved.get(id) ?? this.finished.get(id));
  }

  async wait(id: string, timeoutMs: number): Promise<TaskView | undefined> {
    if (this.live.has(id)) await this.waiters.wait(id, timeoutMs);
    return this.get(id);
  }

  async cancel(id: string): Promise<TaskView | undefined> {
    const task = this.live.get(id);
    if (!task) return this.get(id);
    if (task.finishing) {
      await this.waiters.wait(id, 60_000);
    } else if (task.state === 'running') {
      const done = this.waiters.wait(id, 60_000);
      task.cancel.abort();
      await done;
    } else {
      this.dequeue(task);
      await this.finish(task, CANCELLED);
    }
    return this.get(id);
  }

  stats(): Promise<QueueStats> {
    return Promise.resolve({
      backend: this.backend,
      waiting: this.waiting.length,
      running: this.running,
      delayed: this.delayed,
      completed: this.completed,
      failed: this.failed,
      workers: this.executor && !this.closed ? 1 : 0,
      concurrency: this.options.concurrency,
    });
  }

  /**
   * Stops taking tasks and records the waiting ones as not run; lets the running ones finish for up to `graceMs`,
   * then stops them too (recorded as failed with `unavailable`, so their clients submit them again).
   */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const running = [...this.live.values()].filter((task) => task.state === 'running');
    const notRun = [...this.live.values()].filter((task) => task.state !== 'running');
    for (const task of notRun) this.dequeue(task);
    await Promise.all(running.map((task) => this.waiters.wait(task.id, graceMs)));
    const overdue = running.filter((task) => this.live.has(task.id));
    for (const task of overdue) {
      task.stoppedByServer = true;
      task.cancel.abort();
    }
    await Promise.all(overdue.map((task) => this.waiters.wait(task.id, graceMs)));
    await Promise.all(notRun.map((task) => this.finish(task, STOPPED_BEFORE_RUN)));
  }

  private pump(): void {
    const executor = this.executor;
    while (executor && !this.closed && this.running < this.options.concurrency && this.waiting.length > 0) {
      const task = this.waiting.shift() as LiveTask;
      // run() records every outcome itself; this catch is the last guard against a crashed process.
      this.run(task, executor).catch((error: unknown) =>
        this.logger.error({ err: error, task_id: task.id }, 'a task could not be run or recorded'),
      );
    }
    this.metrics.queueDepth(this.waiting.length);
  }

  private async run(task: LiveTask, executor: TaskExecutor): Promise<void> {
    this.running += 1;
    task.state = 'running';
    task.attempts += 1;
    task.startedAt = Date.now();
    const outcome = await runAttempt(executor, task.job, {
      timeoutMs: task.timeoutMs,
      cancel: task.cancel.signal,
      onProgress: (progress) => (task.progress = progress),
    });
    const seconds = (Date.now() - task.startedAt) / 1000;
    this.running -= 1;
    const retry = shouldRetry(outcome, task.attempts, task.maxAttempts);
    this.metrics.taskAttempt(task.job.operation, retry ? 'retried' : outcome.kind, seconds);
    if (retry && !this.closed) this.scheduleRetry(task);
    else {
      const stoppedByServer = outcome.kind === 'cancelled' && task.stoppedByServer;
      await this.finish(task, stoppedByServer ? STOPPED_WHILE_RUNNING : endingOf(outcome));
    }
    this.pump();
  }

  private scheduleRetry(task: LiveTask): void {
    task.state = 'pending';
    this.delayed += 1;
    task.retryTimer = setTimeout(
      () => {
        this.delayed -= 1;
        task.retryTimer = undefined;
        this.waiting.push(task);
        this.pump();
      },
      retryDelayMs(this.options, task.attempts),
    );
  }

  /** Takes a task that is not running out of the waiting line or its backoff. */
  private dequeue(task: LiveTask): void {
    if (task.retryTimer) {
      clearTimeout(task.retryTimer);
      task.retryTimer = undefined;
      this.delayed -= 1;
    }
    const index = this.waiting.indexOf(task);
    if (index >= 0) this.waiting.splice(index, 1);
    this.metrics.queueDepth(this.waiting.length);
  }

  private async finish(task: LiveTask, ending: TaskEnding): Promise<void> {
    if (task.finishing) return;
    task.finishing = true;
    if (ending.status === 'completed') this.completed += 1;
    else if (ending.status === 'failed') this.failed += 1;
    const { resultJson } = ending;
    const record = finishedView(this.view(task), ending);
    try {
      await this.finished.save(record, resultJson);
    } catch (failure) {
      // The store is away: the task's outcome stays answerable from memory (bounded) rather than lost.
      this.logger.warn(
        { err: failure, task_id: task.id },
        'a finished task could not be stored; kept in memory',
      );
      this.unsaved.set(task.id, {
        ...record,
        result: resultJson === undefined ? null : JSON.parse(resultJson),
      });
      if (this.unsaved.size > MAX_UNSAVED_TASKS)
        this.unsaved.delete(this.unsaved.keys().next().value as string);
    } finally {
      this.waitingBytes -= task.bytes;
      this.live.delete(task.id);
      this.waiters.release(task.id);
    }
  }

  private view(task: LiveTask): TaskView {
    return {
      task_id: task.id,
      operation: task.job.operation,
      status: task.state,
      created_at: new Date(task.createdAt).toISOString(),
      started_at: task.startedAt === null ? null : new Date(task.startedAt).toISOString(),
      completed_at: null,
      attempts: task.attempts,
      max_attempts: task.maxAttempts,
      result: null,
      error: null,
      worker: task.startedAt === null ? null : this.options.workerName,
      progress: task.progress,
    };
  }
}
