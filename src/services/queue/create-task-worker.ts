import type { TaskResultStore } from '../store/records.js';
import type { DredgeMetrics, Logger } from '../telemetry/index.js';
import type { BullmqTaskWorker } from './bullmq/bullmq-task-worker.js';
import type { TaskQueueConfig } from './create-task-service.js';
import { FinishedTasks } from './finished-tasks.js';
import type { TaskExecutor } from './task-job.js';

/**
 * A `dredge worker`'s engine (QUEUE_BACKEND=bullmq): takes tasks from the queue QUEUE_NAME names,
 * WORKER_CONCURRENCY at a time, runs each with `executor` and records it in `results`. It starts with `start()`.
 */
export async function createTaskWorker(
  config: TaskQueueConfig,
  executor: TaskExecutor,
  results: TaskResultStore,
  metrics: DredgeMetrics,
  logger: Logger,
): Promise<BullmqTaskWorker> {
  const { queue, redis } = config;
  const { BullmqTaskWorker } = await import('./bullmq/bullmq-task-worker.js');
  return new BullmqTaskWorker(
    {
      redis,
      queueName: queue.name,
      concurrency: config.concurrency,
      lockDurationMs: queue.lockDurationMs,
      maxResultBytes: queue.resultMaxBytes,
    },
    executor,
    new FinishedTasks(results, queue.resultTtlMs),
    metrics,
    logger,
  );
}
