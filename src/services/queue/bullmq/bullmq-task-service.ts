import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { unavailableOnFailure } from '../../errors.js';
import { BLOCKING, QUEUE, createRedisClient, type RedisConfig } from '../../redis/index.js';
import type { DredgeMetrics } from '../../telemetry/index.js';
import type { FinishedTasks } from '../finished-tasks.js';
import { queueFullOfTasks, tenantQueueFull } from '../queue-full.js';
import type { RetryPolicy } from '../retry-policy.js';
import { CANCELLED, finishedView } from '../task-ending.js';
import {
  isFinished,
  type QueueStats,
  type SubmitOptions,
  type TaskService,
  type TaskView,
} from '../task-service.js';
import { TaskWaiters } from '../task-waiters.js';
import { jobView } from './job-view.js';
import { QUEUE_PREFIX, queueKeys, type TaskData } from './task-data.js';
import { liveWorkers } from './worker-registry.js';

export interface BullmqTaskServiceOptions extends RetryPolicy {
  readonly redis: RedisConfig;
  readonly queueName: string;
  readonly maxWaiting: number;
  /** TENANT_MAX_WAITING_TASKS, with MULTI_TENANT_ENABLED only. */
  readonly maxWaitingPerTenant?: number | undefined;
  readonly timeoutMs: number;
  /** How long a finished task can be fetched (TASK_RESULT_TTL): BullMQ keeps a failed job as long. */
  readonly resultTtlMs: number;
}

/** Redis being away is the client's 503, not a crash: the task was not queued, and the client may retry. */
const REDIS_AWAY = 'The task queue (Redis) is not reachable: try again later.';

/**
 * Takes a place among a tenant's unfinished tasks unless it has ARGV[1] already, in one step (so replicas sharing
 * Redis hold the quota together). KEYS: the tenant's set. ARGV: its most, the score, the task id. Answers 1 or 0.
 */
const TAKE_PLACE = `
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
return 1`;

/** How long a read of the queue's length stays good for the full-queue check. */
const DEPTH_CHECK_MS = 250;

/**
 * QUEUE_BACKEND=bullmq, the submitting side: tasks go into a BullMQ queue on Redis, `dredge worker` processes
 * anywhere run them, and their results land in the store, where any server reads them. Transient failures are
 * retried by BullMQ with exponential backoff; a task whose worker dies is taken over by another once its lock
 * lapses (WORKER_LOCK_DURATION).
 */
export class BullmqTaskService implements TaskService {
  readonly backend = 'bullmq' as const;
  private readonly redis: Redis;
  private readonly queue: Queue<TaskData, null>;
  private readonly keys;
  private readonly waiters = new TaskWaiters();
  private events: { readonly stream: QueueEvents; readonly redis: Redis } | undefined;
  private depth = { value: 0, readAt: 0 };

  constructor(
    private readonly options: BullmqTaskServiceOptions,
    private readonly finished: FinishedTasks,
    private readonly metrics: DredgeMetrics,
  ) {
    this.redis = createRedisClient(options.redis, QUEUE, 'dredge-tasks');
    this.queue = new Queue<TaskData, null>(options.queueName, {
      connection: this.redis,
      prefix: QUEUE_PREFIX,
    });
    this.queue.on('error', () => undefined);
    this.keys = queueKeys(QUEUE_PREFIX, options.queueName);
  }

  /** Nothing runs here: `dredge worker` processes take the tasks from the queue. */
  start(): void {}

  async submit(operation: string, params: unknown, options: SubmitOptions): Promise<TaskView> {
    return unavailableOnFailure(REDIS_AWAY, async () => {
      await this.checkRoom();
      const jobId = randomUUID();
      const perTenant = this.options.maxWaitingPerTenant;
      if (perTenant !== undefined) await this.takePlace(options.tenant, jobId, perTenant);
      const attempts = options.attempts ?? this.options.attempts;
      const data: TaskData = {
        params,
        tenant: options.tenant,
        ...(options.traceparent === undefined ? {} : { traceparent: options.traceparent }),
        timeout_ms: options.timeoutMs ?? this.options.timeoutMs,
      };
      const job = await this.queue
        .add(operation, data, {
          jobId,
          attempts,
          backoff: { type: 'exponential', delay: this.options.backoffMs },
          // A finished task's record lives in the store; BullMQ keeps failed jobs for as long, for tasks whose
          // worker could not record them (failed by the stalled-job check).
          removeOnComplete: true,
          removeOnFail: { age: Math.ceil(this.options.resultTtlMs / 1000), count: 100_000 },
        })
        .catch(async (error: unknown) => {
          if (perTenant !== undefined) {
            await this.redis.zrem(this.keys.tenantTasks(options.tenant), jobId).catch(() => undefined);
          }
          throw error;
        });
      this.depth.value += 1;
      return jobView(job, 'waiting') as TaskView;
    });
  }

  get(id: string, tenant?: string): Promise<TaskView | undefined> {
    return unavailableOnFailure(REDIS_AWAY, async () => {
      const stored = await this.finished.get(id, tenant);
      if (stored) return stored;
      const job = await this.queue.getJob(id);
      const view =
        job && (tenant === undefined || job.data.tenant === tenant)
          ? jobView(job, await job.getState())
          : undefined;
      // Nothing in BullMQ: the task may have finished (and left the queue) between the reads. Finished in BullMQ:
      // its worker stored the record (with the failure's own code) before BullMQ marked the job, between our two
      // reads; the job's view is the answer only when that record could not be stored.
      if (!view || isFinished(view.status)) return (await this.finished.get(id, tenant)) ?? view;
      return view;
    });
  }

  async wait(id: string, timeoutMs: number): Promise<TaskView | undefined> {
    const deadline = Date.now() + timeoutMs;
    // Following the events waits for Redis; while Redis is away the wait goes on by looking every second.
    await Promise.race([
      this.listen().catch(() => undefined),
      sleep(Math.min(timeoutMs, 1000), undefined, { ref: false }),
    ]);
    // Registered before the first look, so that an end announced in between is not missed.
    let announced = this.waiters.wait(id, Math.min(timeoutMs, 1000));
    // Most waits end with a record in the store: one read each time, and the full look (the queue as well)
    // only when the task's end was announced without a record, or the wait runs out. (FinishedTasks answers a
    // store that is away with its own 503.)
    let stored = await this.finished.get(id);
    while (!stored) {
      await announced;
      const remaining = deadline - Date.now();
      const view = await this.get(id);
      if (!view || isFinished(view.status) || remaining <= 0) return view;
      // The wait is capped so that a missed announcement costs a second, not the whole timeout.
      announced = this.waiters.wait(id, Math.min(remaining, 1000));
      stored = await this.finished.get(id);
    }
    return stored;
  }

  cancel(id: string, tenant?: string): Promise<TaskView | undefined> {
    return unavailableOnFailure(REDIS_AWAY, async () => {
      const job = await this.queue.getJob(id);
      if (!job) return this.finished.get(id, tenant);
      // Another tenant's task is not there for this caller: the same answer as an unknown id.
      if (tenant !== undefined && job.data.tenant !== tenant) return this.finished.get(id, tenant);
      const state = await job.getState();
      if (state === 'active') return this.cancelRunning(job);
      if (state === 'completed' || state === 'failed') return this.get(id);
      const view = jobView(job, state);
      try {
        await job.remove();
      } catch {
        // A worker took it in the meantime: cancel it there.
        return this.cancelRunning(job);
      }
      if (view) await this.finished.save(finishedView(view, CANCELLED), job.data.tenant);
      await this.redis.zrem(this.keys.tenantTasks(job.data.tenant), id);
      this.waiters.release(id);
      return this.get(id, tenant);
    });
  }

  stats(tenant?: string): Promise<QueueStats> {
    if (tenant !== undefined) return unavailableOnFailure(REDIS_AWAY, () => this.tenantStats(tenant));
    return unavailableOnFailure(REDIS_AWAY, async () => {
      const [counts, workers, totals] = await Promise.all([
        this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed'),
        liveWorkers(this.redis, this.keys.workers),
        this.redis.hgetall(this.keys.totals),
      ]);
      const waiting = (counts.waiting ?? 0) + (counts.prioritized ?? 0);
      this.metrics.queueDepth(waiting);
      return {
        backend: this.backend,
        waiting,
        running: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        completed: Number(totals.completed ?? 0),
        failed: Number(totals.failed ?? 0),
        workers: workers.length,
        concurrency: workers.reduce((sum, worker) => sum + worker.concurrency, 0),
      };
    });
  }

  /**
   * One tenant's numbers: the states of its unfinished tasks (at most TENANT_MAX_WAITING_TASKS, read in one
   * pipeline of BullMQ's state lookups) and its finished counts; members whose job has finished or gone are pruned
   * on the way.
   */
  private async tenantStats(tenant: string): Promise<QueueStats> {
    const [states, workers, totals] = await Promise.all([
      this.tenantTaskStates(tenant),
      liveWorkers(this.redis, this.keys.workers),
      this.redis.hgetall(this.keys.tenantTotals(tenant)),
    ]);
    const count = (...wanted: string[]) => states.filter((state) => wanted.includes(state)).length;
    return {
      backend: this.backend,
      waiting: count('waiting', 'wait', 'prioritized', 'paused', 'waiting-children'),
      running: count('active'),
      delayed: count('delayed'),
      completed: Number(totals.completed ?? 0),
      failed: Number(totals.failed ?? 0),
      workers: workers.length,
      concurrency: workers.reduce((sum, worker) => sum + worker.concurrency, 0),
    };
  }

  /** The BullMQ states of a tenant's unfinished tasks; those finished or gone leave its set. */
  private async tenantTaskStates(tenant: string): Promise<string[]> {
    const key = this.keys.tenantTasks(tenant);
    const ids = await this.redis.zrange(key, 0, -1);
    const states = await Promise.all(ids.map((id) => this.queue.getJobState(id)));
    const ended = ids.filter((_, i) => ['completed', 'failed', 'unknown'].includes(states[i] ?? 'unknown'));
    if (ended.length > 0) await this.redis.zrem(key, ...ended);
    return states.filter((state) => !['completed', 'failed', 'unknown'].includes(state));
  }

  /**
   * Takes the task's place among its tenant's unfinished tasks, or refuses it (429) at TENANT_MAX_WAITING_TASKS.
   * At the bound the set is pruned once (tasks whose worker died before it could say they ended) and tried again.
   */
  private async takePlace(tenant: string, id: string, most: number): Promise<void> {
    const key = this.keys.tenantTasks(tenant);
    const take = () => this.redis.eval(TAKE_PLACE, 1, key, String(most), String(Date.now()), id);
    if ((await take()) === 1) return;
    await this.tenantTaskStates(tenant);
    if ((await take()) !== 1) throw tenantQueueFull(most);
  }

  async close(): Promise<void> {
    if (this.events) {
      await this.events.stream.close();
      this.events.redis.disconnect();
    }
    await this.queue.close();
    this.redis.disconnect();
  }

  /** Asks the worker running the task to stop it (workers listen on a channel), then waits for it to end. */
  private async cancelRunning(job: Job<TaskData, null>): Promise<TaskView | undefined> {
    const id = String(job.id);
    // Marked in the job too, so that a worker taking it over after a stall does not run it again.
    await job.updateData({ ...job.data, cancelled: true }).catch(() => undefined);
    await this.redis.publish(this.keys.cancel, id);
    return this.wait(id, 5000);
  }

  private async checkRoom(): Promise<void> {
    const now = Date.now();
    // The last reading is trusted while it leaves room; at the bound the queue is read again, exactly.
    if (now - this.depth.readAt > DEPTH_CHECK_MS || this.depth.value >= this.options.maxWaiting) {
      this.depth = { value: await this.queue.count(), readAt: now };
      this.metrics.queueDepth(this.depth.value);
    }
    if (this.depth.value >= this.options.maxWaiting) throw queueFullOfTasks(this.options.maxWaiting);
  }

  /** Starts following the queue's events (once, on the first wait), to wake waiters when their task ends. */
  private async listen(): Promise<void> {
    if (this.events) return;
    // XREAD BLOCK: a blocking connection, without a command timeout.
    const redis = createRedisClient(this.options.redis, BLOCKING, 'dredge-task-events');
    const events = new QueueEvents(this.options.queueName, { connection: redis, prefix: QUEUE_PREFIX });
    this.events = { stream: events, redis };
    events.on('error', () => undefined);
    const release = ({ jobId }: { jobId: string }) => this.waiters.release(jobId);
    events.on('completed', release);
    events.on('failed', release);
    events.on('removed', release);
    await events.waitUntilReady();
  }
}
