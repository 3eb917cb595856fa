import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DredgeError } from '../../errors.js';
import type { PendingTaskRecord } from '../../store/pending-tasks.js';
import type { DredgeMetrics, Logger } from '../../telemetry/index.js';
import type { FinishedTasks } from '../finished-tasks.js';
import { queueFullOfBytes, queueFullOfTasks, tenantQueueFull } from '../queue-full.js';
import { retryDelayMs, shouldRetry, type RetryPolicy } from '../retry-policy.js';
import { runAttempt } from '../run-attempt.js';
import { CANCELLED, endingOf, finishedView, type TaskEnding } from '../task-ending.js';
import type { TaskExecutor } from '../task-job.js';
import {
  isFinished,
  type QueueStats,
  type SubmitOptions,
  type TaskService,
  type TaskView,
} from '../task-service.js';
import { TaskWaiters } from '../task-waiters.js';
import type { AcceptedTasks } from './accepted-tasks.js';
import { adoptedTask, liveTask, unfinishedView, type LiveTask } from './live-task.js';

export interface LocalTaskServiceOptions extends RetryPolicy {
  /** Tasks running at once (WORKER_CONCURRENCY). */
  readonly concurrency: number;
  /** Most tasks waiting (QUEUE_MAX_WAITING). */
  readonly maxWaiting: number;
  /**
   * TENANT_MAX_WAITING_TASKS, with MULTI_TENANT_ENABLED only: most tasks of one tenant this engine holds
   * unfinished (waiting, in backoff or running), as QUEUE_MAX_WAITING bounds them per engine.
   */
  readonly maxWaitingPerTenant?: number | undefined;
  readonly timeoutMs: number;
  /** TASK_RESULT_MAX_BYTES: a task whose answer is larger fails with `too_large`. */
  readonly maxResultBytes: number;
  /** Name this process's tasks report as their worker. */
  readonly workerName: string;
}

/** How long a stopping server lets its running tasks finish before it stops them. */
export const CLOSE_GRACE_MS = 30_000;

/** Finished tasks kept in memory when the store would not take them, so get_task still answers for them. */
export const MAX_UNSAVED_TASKS = 10_000;

/** Most bytes of params (as JSON) the waiting tasks of one server may hold together. */
export const MAX_WAITING_BYTES = 256 * 1024 * 1024;

/** How often `wait` looks at a task this engine does not hold (another engine's, or one not taken over yet). */
const LOOK_AGAIN_MS = 250;

/** Tasks of stopped engines taken over per look at the store: their params are read into memory at once. */
const ADOPT_BATCH = 100;

/** A task whose process died in its last attempt: no attempt is left to retry it with. */
function interrupted(task: LiveTask): TaskEnding {
  return {
    status: 'failed',
    error: {
      code: 'interrupted',
      message:
        `The server stopped while this task ran, and it has no attempt left ` +
        `(${task.attempts} of ${task.maxAttempts}): submit it again.`,
    },
  };
}

/**
 * QUEUE_BACKEND=local: tasks run in this process, `concurrency` at a time (the heavy operations among them go on
 * to the worker-thread pool), with the same retries, timeouts, cancellation and stored results as the distributed
 * queue. Accepted means durable: a task is in the store (AcceptedTasks) before its submission is answered, and
 * leaves it when its ending is recorded. This engine holds a lease on its tasks, renewed every third of
 * WORKER_LOCK_DURATION; when an engine stops (cleanly, or killed) its tasks are taken over by the next engine on
 * the store that looks — this one at start and then at every beat: waiting ones wait again, ones that were running
 * are retried, or fail as `interrupted` when that was their last attempt. Tasks run once `start` has handed in the
 * executor.
 */
export class LocalTaskService implements TaskService {
  readonly backend = 'local' as const;
  private readonly waiting: LiveTask[] = [];
  private readonly live = new Map<string, LiveTask>();
  private readonly waiters = new TaskWaiters();
  /** Finished tasks the store refused (it was away), newest last, at most MAX_UNSAVED_TASKS. */
  private readonly unsaved = new Map<string, { readonly view: TaskView; readonly tenant: string }>();
  /** Per tenant: tasks this engine holds unfinished (accepting, waiting, in backoff, running), and finished counts. */
  private readonly tenants = new Map<string, { held: number; completed: number; failed: number }>();
  private running = 0;
  /** Bytes of params held by tasks not finished yet (waiting, running or in backoff). */
  private waitingBytes = 0;
  /** Submissions counted against the bounds while their record is being written. */
  private accepting = 0;
  private delayed = 0;
  private completed = 0;
  private failed = 0;
  private closed = false;
  private executor: TaskExecutor | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private adopting: Promise<void> | undefined;

  constructor(
    private readonly finished: FinishedTasks,
    private readonly accepted: AcceptedTasks,
    private readonly options: LocalTaskServiceOptions,
    private readonly metrics: DredgeMetrics,
    private readonly logger: Logger,
  ) {}

  start(executor: TaskExecutor): void {
    if (this.executor) throw new Error('The local task workers are started already.');
    this.executor = executor;
    this.leaseTimer = setInterval(() => void this.adoptOrphans(), Math.max(1, this.accepted.leaseMs / 3));
    this.leaseTimer.unref();
    void this.adoptOrphans();
  }

  async submit(operation: string, params: unknown, options: SubmitOptions): Promise<TaskView> {
    if (this.closed)
      throw new DredgeError('unavailable', 'The task queue is shutting down: try again later.');
    // Tasks waiting out a retry's backoff wait too: they count against the bound.
    if (this.waiting.length + this.delayed + this.accepting >= this.options.maxWaiting) {
      throw queueFullOfTasks(this.options.maxWaiting);
    }
    const paramsJson = JSON.stringify(params ?? null);
    const bytes = Buffer.byteLength(paramsJson);
    if (this.waitingBytes + bytes > MAX_WAITING_BYTES) throw queueFullOfBytes(MAX_WAITING_BYTES);
    const perTenant = this.options.maxWaitingPerTenant;
    if (perTenant !== undefined && this.tenantCounts(options.tenant).held >= perTenant) {
      throw tenantQueueFull(perTenant);
    }
    const task = liveTask({
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
    });
    this.waitingBytes += bytes;
    this.accepting += 1;
    this.tenantCounts(options.tenant).held += 1;
    try {
      await this.accepted.accept(task, paramsJson);
    } catch (error) {
      this.waitingBytes -= bytes;
      this.tenantCounts(options.tenant).held -= 1;
      throw error;
    } finally {
      this.accepting -= 1;
    }
    const submitted = this.view(task);
    if (this.closed) {
      // Stopped while the record was written: the task waits in the store for the next start.
      this.waitingBytes -= bytes;
      this.tenantCounts(options.tenant).held -= 1;
      return submitted;
    }
    this.live.set(task.id, task);
    this.waiting.push(task);
    this.pump();
    return submitted;
  }

  async get(id: string, tenant?: string): Promise<TaskView | undefined> {
    const mine = (owner: string) => tenant === undefined || owner === tenant;
    const task = this.live.get(id);
    if (task) return mine(task.job.tenant) ? this.view(task) : undefined;
    const unsaved = this.unsaved.get(id);
    if (unsaved) return mine(unsaved.tenant) ? unsaved.view : undefined;
    const ended = await this.finished.get(id, tenant);
    if (ended) return ended;
    // Held by another engine on this store, or waiting to be taken over after its engine stopped.
    const record = await this.accepted.get(id);
    return record && mine(record.tenant)
      ? unfinishedView(record, record.owner.split('/')[0] ?? null)
      : undefined;
  }

  async wait(id: string, timeoutMs: number): Promise<TaskView | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.live.has(id)) await this.waiters.wait(id, Math.max(0, deadline - Date.now()));
      const view = await this.get(id);
      if (!view || isFinished(view.status) || Date.now() >= deadline) return view;
      // Held by another engine on the store, or waiting to be taken over: no event tells, so look again shortly.
      if (!this.live.has(id)) await sleep(Math.min(LOOK_AGAIN_MS, Math.max(0, deadline - Date.now())));
    }
  }

  async cancel(id: string, tenant?: string): Promise<TaskView | undefined> {
    const task = this.live.get(id);
    if (!task || (tenant !== undefined && task.job.tenant !== tenant)) return this.get(id, tenant);
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
    return this.get(id, tenant);
  }

  stats(tenant?: string): Promise<QueueStats> {
    if (tenant !== undefined) return Promise.resolve(this.tenantStats(tenant));
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
   * Stops taking tasks. The waiting ones stay in the store, for the next start (or another engine on the store)
   * to run; the running ones get up to `graceMs` to finish, then are stopped and stay in the store too, to be
   * retried there. The lease is given up, so they are taken over at once.
   */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    await this.adopting;
    const held = [...this.live.values()].filter((task) => !task.finishing);
    const running = held.filter((task) => task.state === 'running');
    for (const task of held.filter((task) => task.state !== 'running')) {
      this.dequeue(task);
      this.letGo(task);
    }
    await Promise.all(running.map((task) => this.waiters.wait(task.id, graceMs)));
    const overdue = running.filter((task) => this.live.has(task.id));
    for (const task of overdue) {
      task.stoppedByServer = true;
      task.cancel.abort();
    }
    await Promise.all(overdue.map((task) => this.waiters.wait(task.id, graceMs)));
    await this.accepted.release();
  }

  /**
   * One tenant's numbers in this engine: its held tasks by state (a walk over the tasks held, at most
   * QUEUE_MAX_WAITING and the running ones) and its finished counts since start.
   */
  private tenantStats(tenant: string): QueueStats {
    let waiting = 0;
    let running = 0;
    let delayed = 0;
    for (const task of this.live.values()) {
      if (task.job.tenant !== tenant || task.finishing) continue;
      if (task.state === 'running') running += 1;
      else if (task.retryTimer) delayed += 1;
      else waiting += 1;
    }
    const { completed, failed } = this.tenantCounts(tenant);
    return {
      backend: this.backend,
      waiting,
      running,
      delayed,
      completed,
      failed,
      workers: this.executor && !this.closed ? 1 : 0,
      concurrency: this.options.concurrency,
    };
  }

  private tenantCounts(tenant: string): { held: number; completed: number; failed: number } {
    let counts = this.tenants.get(tenant);
    if (!counts) {
      counts = { held: 0, completed: 0, failed: 0 };
      this.tenants.set(tenant, counts);
    }
    return counts;
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
    // Stored before the attempt, so an attempt the process dies in counts against the task's attempts.
    await this.accepted.changed(task);
    const outcome = await runAttempt(executor, task.job, {
      timeoutMs: task.timeoutMs,
      maxResultBytes: this.options.maxResultBytes,
      cancel: task.cancel.signal,
      onProgress: (progress) => (task.progress = progress),
    });
    const seconds = (Date.now() - task.startedAt) / 1000;
    this.running -= 1;
    const retry = shouldRetry(outcome, task.attempts, task.maxAttempts);
    this.metrics.taskAttempt(task.job.operation, retry ? 'retried' : outcome.kind, seconds);
    if (outcome.kind === 'cancelled' && task.stoppedByServer) {
      // Stored as running: the next start counts the attempt and retries it (or fails it as interrupted).
      this.letGo(task);
    } else if (retry && this.closed) {
      task.state = 'pending';
      await this.accepted.changed(task);
      this.letGo(task);
    } else if (retry) await this.scheduleRetry(task);
    else await this.finish(task, endingOf(outcome));
    this.pump();
  }

  private async scheduleRetry(task: LiveTask): Promise<void> {
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
    await this.accepted.changed(task);
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

  /** Stops holding a task that stays in the store unfinished (the server stops): another start runs it. */
  private letGo(task: LiveTask): void {
    this.waitingBytes -= task.bytes;
    this.tenantCounts(task.job.tenant).held -= 1;
    this.live.delete(task.id);
    this.waiters.release(task.id);
  }

  private async finish(task: LiveTask, ending: TaskEnding): Promise<void> {
    if (task.finishing) return;
    task.finishing = true;
    const counts = this.tenantCounts(task.job.tenant);
    if (ending.status === 'completed') {
      this.completed += 1;
      counts.completed += 1;
    } else if (ending.status === 'failed') {
      this.failed += 1;
      counts.failed += 1;
    }
    const { resultJson } = ending;
    const record = finishedView(this.view(task), ending);
    try {
      await this.finished.save(record, task.job.tenant, resultJson);
    } catch (failure) {
      // The store is away: the task's outcome stays answerable from memory (bounded) rather than lost.
      this.logger.warn(
        { err: failure, task_id: task.id },
        'a finished task could not be stored; kept in memory',
      );
      this.unsaved.set(task.id, {
        view: { ...record, result: resultJson === undefined ? null : JSON.parse(resultJson) },
        tenant: task.job.tenant,
      });
      if (this.unsaved.size > MAX_UNSAVED_TASKS)
        this.unsaved.delete(this.unsaved.keys().next().value as string);
    } finally {
      this.waitingBytes -= task.bytes;
      counts.held -= 1;
      this.live.delete(task.id);
      this.waiters.release(task.id);
    }
    // After its ending: a crash between the two leaves a task whose ending the next start finds (adopt).
    await this.accepted.finished(task.id);
  }

  /** Takes over the tasks of stopped engines (one look at a time), and renews this engine's lease. */
  private adoptOrphans(): Promise<void> {
    this.adopting ??= this.adopt().finally(() => (this.adopting = undefined));
    return this.adopting;
  }

  private async adopt(): Promise<void> {
    try {
      while (!this.closed) {
        // Within the same bounds as submissions; what does not fit is taken over at a later beat.
        const held = this.waiting.length + this.delayed + this.accepting;
        const room = Math.min(ADOPT_BATCH, this.options.maxWaiting - held);
        if (room <= 0 || this.waitingBytes >= MAX_WAITING_BYTES) {
          await this.accepted.beat();
          return;
        }
        // Claiming renews this engine's lease too, in the same write.
        const records = await this.accepted.claim(room);
        for (const record of records) await this.adoptOne(record);
        this.pump();
        if (records.length < room) return;
      }
    } catch (error) {
      this.logger.warn(
        { err: error },
        'could not look for the tasks of stopped servers; looking again shortly',
      );
    }
  }

  private async adoptOne(record: PendingTaskRecord): Promise<void> {
    if (this.live.has(record.id)) return;
    // Its ending was recorded before its engine stopped, but not yet its leaving the store.
    if (await this.finished.get(record.id).catch(() => undefined)) {
      await this.accepted.finished(record.id);
      return;
    }
    const task = adoptedTask(record);
    this.live.set(task.id, task);
    this.waitingBytes += task.bytes;
    this.tenantCounts(task.job.tenant).held += 1;
    this.logger.info(
      { task_id: task.id, operation: task.job.operation, was: record.state, from: record.owner },
      'took over a task of a stopped server',
    );
    if (record.state === 'running') {
      // Its attempt died with its process and counts: retried while attempts are left, as a transient failure is.
      if (task.attempts >= task.maxAttempts) {
        await this.finish(task, interrupted(task));
        return;
      }
      await this.accepted.changed(task);
    }
    if (this.closed) this.letGo(task);
    else this.waiting.push(task);
  }

  private view(task: LiveTask): TaskView {
    return unfinishedView(
      { ...task, operation: task.job.operation, progress: task.progress },
      this.options.workerName,
    );
  }
}
