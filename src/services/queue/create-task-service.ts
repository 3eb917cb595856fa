import type { DredgeConfig } from '../../config/index.js';
import type { TaskResultStore } from '../store/records.js';
import type { DredgeMetrics, Logger } from '../telemetry/index.js';
import { FinishedTasks } from './finished-tasks.js';
import { LocalTaskService } from './local/local-task-service.js';
import type { TaskExecutor } from './task-job.js';
import type { TaskService } from './task-service.js';

/**
 * The task service QUEUE_BACKEND names: this process's own workers (local), or a BullMQ queue on Redis (BullMQ
 * is loaded only then).
 */
export async function createTaskService(
  config: DredgeConfig,
  executor: TaskExecutor,
  results: TaskResultStore,
  metrics: DredgeMetrics,
  logger: Logger,
  workerName: string,
): Promise<TaskService> {
  const { queue, redis } = config;
  const finished = new FinishedTasks(results, queue.resultTtlMs);
  const policy = { attempts: queue.attempts, backoffMs: queue.backoffMs, resultTtlMs: queue.resultTtlMs };
  if (config.storage.queueBackend === 'bullmq') {
    const { BullmqTaskService } = await import('./bullmq/bullmq-task-service.js');
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
