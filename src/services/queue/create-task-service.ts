import type { DredgeConfig } from '../../config/index.js';
import type { RedisConfig } from '../redis/index.js';
import type { PendingTaskStore } from '../store/pending-tasks.js';
import type { TaskResultStore } from '../store/records.js';
import type { DredgeMetrics, Logger } from '../telemetry/index.js';
import { FinishedTasks } from './finished-tasks.js';
import { AcceptedTasks } from './local/accepted-tasks.js';
import { LocalTaskService } from './local/local-task-service.js';
import type { TaskService } from './task-service.js';

/** What the task queue and its workers read of the configuration; the app builds it once (`serviceSettings`). */
export interface TaskQueueConfig {
  /** QUEUE_BACKEND. */
  readonly backend: DredgeConfig['storage']['queueBackend'];
  /** QUEUE_NAME, QUEUE_MAX_WAITING, the TASK_* keys and WORKER_LOCK_DURATION (the local engine's lease too). */
  readonly queue: DredgeConfig['queue'];
  /** WORKER_CONCURRENCY: tasks run at once by this process (local) or by one `dredge worker` (bullmq). */
  readonly concurrency: number;
  /** The connection of QUEUE_BACKEND=bullmq. */
  readonly redis: RedisConfig;
  /** TENANT_MAX_WAITING_TASKS, with MULTI_TENANT_ENABLED only: each tenant's tasks not finished are bounded. */
  readonly maxWaitingPerTenant?: number | undefined;
}

/**
 * The task service QUEUE_BACKEND names: this process's own workers (local), or a BullMQ queue on Redis (BullMQ
 * is loaded only then). Its tasks run once `start` hands it the executor (local) or on `dredge worker` processes.
 * The local engine keeps its accepted tasks in `pending` (BullMQ keeps them in Redis itself).
 */
export async function createTaskService(
  config: TaskQueueConfig,
  results: TaskResultStore,
  pending: PendingTaskStore,
  metrics: DredgeMetrics,
  logger: Logger,
  workerName: string,
): Promise<TaskService> {
  const { queue, redis } = config;
  const finished = new FinishedTasks(results, queue.resultTtlMs);
  const policy = { attempts: queue.attempts, backoffMs: queue.backoffMs };
  if (config.backend === 'bullmq') {
    const { BullmqTaskService } = await import('./bullmq/bullmq-task-service.js');
    return new BullmqTaskService(
      {
        ...policy,
        redis,
        queueName: queue.name,
        maxWaiting: queue.maxWaiting,
        maxWaitingPerTenant: config.maxWaitingPerTenant,
        timeoutMs: queue.taskTimeoutMs,
        resultTtlMs: queue.resultTtlMs,
      },
      finished,
      metrics,
    );
  }
  return new LocalTaskService(
    finished,
    new AcceptedTasks(pending, queue.lockDurationMs, workerName, logger),
    {
      ...policy,
      concurrency: config.concurrency,
      maxWaiting: queue.maxWaiting,
      maxWaitingPerTenant: config.maxWaitingPerTenant,
      timeoutMs: queue.taskTimeoutMs,
      maxResultBytes: queue.resultMaxBytes,
      workerName,
    },
    metrics,
    logger,
  );
}
