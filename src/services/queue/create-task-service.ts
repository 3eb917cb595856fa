import type { DredgeConfig } from '../../config/index.js';
import type { TaskResultStore } from '../store/records.js';
import type { DredgeMetrics, Logger } from '../telemetry/index.js';
import { BullmqTaskService } from './bullmq/bullmq-task-service.js';
import { FinishedTasks } from './finished-tasks.js';
import { LocalTaskService } from './local/local-task-service.js';
import type { TaskExecutor } from './task-job.js';
import type { TaskService } from './task-service.js';

/** The task service QUEUE_BACKEND names: this process's own workers (local), or a BullMQ queue on Redis. */
export function createTaskService(
  config: DredgeConfig,
  executor: TaskExecutor,
  results: TaskResultStore,
  metrics: DredgeMetrics,
  logger: Logger,
  workerName: string,
): TaskService {
  const { queue, redis } = config;
  const finished = new FinishedTasks(results, queue.resultTtlMs);
  const policy = { attempts: queue.attempts, backoffMs: queue.backoffMs, resultTtlMs: queue.resultTtlMs };
  if (config.storage.queueBackend === 'bullmq') {
    return new BullmqTaskService(
      {
        ...policy,
        redis: {
          url: redis.url,
          connectTimeoutMs: redis.connectTimeoutMs,
          commandTimeoutMs: redis.commandTimeoutMs,
        },
        queueName: queue.name,
        maxWaiting: queue.maxWaiting,
        timeoutMs: queue.taskTimeoutMs,
      },
      finished,
      metrics,
    );
  }
  return new LocalTaskService(
    executor,
    finished,
    {
      ...policy,
      concurrency: config.workers.concurrency,
      maxWaiting: queue.maxWaiting,
      timeoutMs: queue.taskTimeoutMs,
      workerName,
    },
    metrics,
    logger,
  );
}
