import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { FailureLatch } from '../../failure-latch.js';
import {
  BLOCKING,
  QUEUE,
  SUBSCRIBER,
  createRedisClient,
  whenConnected,
  type RedisConfig,
} from '../../redis/index.js';
import type { DredgeMetrics, Logger } from '../../telemetry/index.js';
import type { FinishedTasks } from '../finished-tasks.js';
import { shouldRetry } from '../retry-policy.js';
import { runAttempt, type AttemptOutcome } from '../run-attempt.js';
import { endingOf, finishedView, type TaskEnding } from '../task-ending.js';
import type { TaskExecutor } from '../task-job.js';
import { progressOf } from './job-view.js';
import { CANCELLED_REASON, QUEUE_PREFIX, queueKeys, type TaskData } from './task-data.js';
import { HEARTBEAT_MS, type WorkerHeartbeat } from './worker-registry.js';

/** How long a worker keeps trying to record a finished task while the store is away. */
const RECORD_PATIENCE_MS = 30_000;

export interface BullmqTaskWorkerOptions {
  readonly redis: RedisConfig;
  readonly queueName: string;
  readonly concurrency: number;
  /** A task whose lock is not renewed for this long is taken over by another worker. */
  readonly lockDurationMs: number;
  /** TASK_RESULT_MAX_BYTES: a task whose answer is larger fails with `too_large`. */
  readonly maxResultBytes: number;
  readonly name?: string;
}

/**
 * A `dredge worker`'s engine: takes tasks from the BullMQ queue, `concurrency` at a time, runs each with the
 * executor (a catalogue operation), records the finished task in the store, and tells BullMQ whether a failure
 * is worth retrying. It beats a heartbeat into Redis so servers can count live workers, and listens for
 * cancellations of the tasks it runs.
 */
export class BullmqTaskWorker {
  readonly name: string;
  private readonly worker: Worker<TaskData, null>;
  private readonly connection: Redis;
  private readonly control: Redis;
  private readonly subscriber: Redis;
  private readonly keys;
  private readonly startedAt = new Date().toISOString();
  private heartbeat: NodeJS.Timeout | undefined;
  private totals = { completed: 0, failed: 0 };
  private inProgress = 0;

  constructor(
    private readonly options: BullmqTaskWorkerOptions,
    private readonly executor: TaskExecutor,
    private readonly finished: FinishedTasks,
    private readonly metrics: DredgeMetrics,
    private readonly logger: Logger,
  ) {
    this.name = options.name ?? `${hostname()}:${process.pid}`;
    this.keys = queueKeys(QUEUE_PREFIX, options.queueName);
    // BullMQ's worker connection (and the blocking duplicate it makes of it); heartbeats and totals on their own,
    // timed connection; the cancel channel on a subscriber.
    this.connection = createRedisClient(options.redis, BLOCKING, `dredge-worker:${this.name}`);
    this.control = createRedisClient(options.redis, QUEUE, `dredge-worker-control:${this.name}`);
    this.subscriber = createRedisClient(options.redis, SUBSCRIBER, `dredge-worker-cancel:${this.name}`);
    this.worker = new Worker<TaskData, null>(
      options.queueName,
      (job, _token, signal) => this.process(job, signal),
      {
        connection: this.connection,
        prefix: QUEUE_PREFIX,
        name: this.name,
        concurrency: options.concurrency,
        autorun: false,
        lockDuration: options.lockDurationMs,
        stalledInterval: options.lockDurationMs,
        // A task may survive one dead worker (or two); a task that kills every worker that takes it stops there.
        maxStalledCount: 2,
      },
    );
    // An outage is one warning and one "works again", not a line per reconnect attempt.
    const outage = new FailureLatch(
      this.logger,
      'the task queue (Redis)',
      'tasks wait in Redis until it is back',
    );
    this.worker.on('error', (error) => outage.fail(error));
    this.connection.on('ready', () => outage.succeed());
  }

  /**
   * Starts taking tasks; resolves once connected. A worker started before Redis waits for it, however long: only
   * the commands that follow, once it answers, have a timeout.
   */
  async start(): Promise<void> {
    await Promise.all([whenConnected(this.subscriber), whenConnected(this.control)]);
    await this.subscriber.subscribe(this.keys.cancel);
    this.subscriber.on('message', (_channel: string, id: string) => {
      if (this.worker.cancelJob(id, CANCELLED_REASON)) this.logger.info({ task_id: id }, 'task cancelled');
    });
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat().catch(() => undefined), HEARTBEAT_MS);
    this.heartbeat.unref();
    void this.worker.run().catch((error: unknown) => this.logger.error({ err: error }, 'worker stopped'));
    await this.worker.waitUntilReady();
  }

  /** Tasks running now. */
  get running(): number {
    return this.inProgress;
  }

  /** Stops taking tasks, lets the running ones finish, then leaves the registry. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.worker.close();
    await this.flushTotals().catch(() => undefined);
    await this.control.hdel(this.keys.workers, this.name).catch(() => undefined);
    await this.subscriber.quit().catch(() => undefined);
    this.control.disconnect();
    this.connection.disconnect();
  }

  private async process(job: Job<TaskData, null>, signal: AbortSignal | undefined): Promise<null> {
    this.inProgress += 1;
    try {
      return await this.runJob(job, signal);
    } finally {
      this.inProgress -= 1;
    }
  }

  private async runJob(job: Job<TaskData, null>, signal: AbortSignal | undefined): Promise<null> {
    const started = Date.now();
    let outcome: AttemptOutcome;
    if (job.data.cancelled) outcome = { kind: 'cancelled' };
    else {
      outcome = await runAttempt(
        this.executor,
        {
          operation: job.name,
          params: job.data.params,
          tenant: job.data.tenant,
          ...(job.data.traceparent === undefined ? {} : { traceparent: job.data.traceparent }),
        },
        {
          timeoutMs: job.data.timeout_ms,
          maxResultBytes: this.options.maxResultBytes,
          cancel: signal ?? new AbortController().signal,
          // Kept in the job, where get_task reads it; the operation reports at most a few dozen times.
          onProgress: (progress) => void job.updateProgress({ ...progress }).catch(() => undefined),
        },
      );
    }
    const seconds = (Date.now() - started) / 1000;
    const retry = shouldRetry(outcome, job.attemptsMade + 1, job.opts.attempts ?? 1);
    this.metrics.taskAttempt(job.name, retry ? 'retried' : outcome.kind, seconds);
    // BullMQ retries a plain error (with backoff) and never an UnrecoverableError.
    if (retry && outcome.kind === 'failed') throw new Error(outcome.failure.message);
    const ending = endingOf(outcome);
    await this.record(job, ending);
    switch (ending.status) {
      case 'completed':
        this.totals.completed += 1;
        return null;
      case 'cancelled':
        throw new UnrecoverableError(CANCELLED_REASON);
      case 'failed':
        this.totals.failed += 1;
        throw new UnrecoverableError(ending.error.message);
    }
  }

  /**
   * Records the finished task in the store, trying again through a short outage (a Redis restart). When the store
   * stays away, the job fails for good (BullMQ keeps it, with this reason, where get_task finds it): letting
   * BullMQ retry it would run the operation again, and a training is not a thing to do twice.
   */
  private async record(job: Job<TaskData, null>, ending: TaskEnding): Promise<void> {
    const view = finishedView(
      {
        task_id: String(job.id),
        operation: job.name,
        created_at: new Date(job.timestamp).toISOString(),
        started_at: new Date(job.processedOn ?? Date.now()).toISOString(),
        attempts: job.attemptsMade + 1,
        max_attempts: job.opts.attempts ?? 1,
        worker: this.name,
        progress: progressOf(job.progress),
      },
      ending,
    );
    try {
      await withRetries(
        () => this.finished.save(view, job.data.tenant, ending.resultJson),
        RECORD_PATIENCE_MS,
      );
      await this.leaveTenant(job.data.tenant, view.task_id, ending.status);
    } catch (error) {
      this.logger.warn({ err: error, task_id: view.task_id }, 'a finished task could not be stored');
      throw new UnrecoverableError(
        `The task ${ending.status === 'completed' ? 'ran' : 'ended'}, but its result could not be stored: submit it again once the store is back.`,
      );
    }
  }

  /**
   * The task is no longer its tenant's waiting work (TENANT_MAX_WAITING_TASKS), and counts among its finished
   * ones. Best effort: a member left behind is pruned by the submitting side once it finds the job finished.
   */
  private async leaveTenant(tenant: string, id: string, status: TaskEnding['status']): Promise<void> {
    const write = this.control.multi().zrem(this.keys.tenantTasks(tenant), id);
    if (status !== 'cancelled') write.hincrby(this.keys.tenantTotals(tenant), status, 1);
    await write.exec().catch(() => undefined);
  }

  private async beat(): Promise<void> {
    const beat: WorkerHeartbeat = {
      name: this.name,
      concurrency: this.options.concurrency,
      pid: process.pid,
      host: hostname(),
      started_at: this.startedAt,
      seen: Date.now(),
    };
    await this.control.hset(this.keys.workers, this.name, JSON.stringify(beat));
    await this.flushTotals();
  }

  /**
   * Finished-task counts go to Redis with the heartbeat, not one command per task. A count whose command failed
   * (Redis away for longer than the command timeout) is kept for the next heartbeat.
   */
  private async flushTotals(): Promise<void> {
    const counts = (['completed', 'failed'] as const).filter((field) => this.totals[field] > 0);
    if (counts.length === 0) return;
    const flushing = { ...this.totals };
    this.totals = { completed: 0, failed: 0 };
    const pipeline = this.control.pipeline();
    for (const field of counts) pipeline.hincrby(this.keys.totals, field, flushing[field]);
    const results = await pipeline.exec().catch(() => null);
    counts.forEach((field, i) => {
      if (!results || results[i]?.[0]) this.totals[field] += flushing[field];
    });
  }
}

/** Runs `work` until it succeeds, waiting 100 ms, 200 ms … (at most 2 s) between tries, for at most `patienceMs`. */
async function withRetries(work: () => Promise<void>, patienceMs: number): Promise<void> {
  const deadline = Date.now() + patienceMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await work();
    } catch (error) {
      if (Date.now() + wait > deadline) throw error;
      await sleep(wait);
    }
  }
}
