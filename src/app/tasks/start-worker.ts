import type { LoadedConfig } from '../../config/index.js';
import { DredgeError } from '../../services/errors.js';
import { BullmqTaskWorker, FinishedTasks } from '../../services/queue/index.js';
import type { Logger } from '../../services/telemetry/index.js';
import { createAppServices } from '../create-services.js';
import { createWorkerStatusServer } from '../http/worker-status-server.js';
import { createCatalogue } from '../operations/index.js';
import { catalogueExecutor } from './catalogue-executor.js';

export interface RunningWorker {
  readonly name: string;
  readonly queueName: string;
  readonly concurrency: number;
  /** Where /health, /metrics and /traces are served. */
  readonly statusUrl: string;
  /** Stops taking tasks, finishes the running ones, then releases everything. */
  close(): Promise<void>;
}

/**
 * A `dredge worker`: the services of a server (store, cache, compute pool, telemetry) without its HTTP API,
 * running catalogue operations taken from the BullMQ queue.
 */
export async function startWorker(loaded: LoadedConfig, logger: Logger): Promise<RunningWorker> {
  const { config } = loaded;
  if (config.storage.queueBackend !== 'bullmq') {
    throw new DredgeError(
      'invalid_input',
      'dredge worker takes tasks from a BullMQ queue on Redis: set QUEUE_BACKEND=bullmq (and REDIS_URL); with QUEUE_BACKEND=local the server runs its tasks itself',
    );
  }
  const services = await createAppServices(loaded, { serviceName: 'dredge-worker', logger });
  const worker = new BullmqTaskWorker(
    {
      redis: {
        url: config.redis.url,
        connectTimeoutMs: config.redis.connectTimeoutMs,
        commandTimeoutMs: config.redis.commandTimeoutMs,
      },
      queueName: config.queue.name,
      concurrency: config.workers.concurrency,
      lockDurationMs: config.queue.lockDurationMs,
    },
    catalogueExecutor(createCatalogue(), () => services),
    new FinishedTasks(services.store.taskResults, config.queue.resultTtlMs),
    services.telemetry.metrics,
    logger.child({ component: 'worker' }),
  );
  const status = await createWorkerStatusServer(services, {
    name: worker.name,
    concurrency: config.workers.concurrency,
    running: () => worker.running,
  });
  const statusUrl = await status.listen({ host: config.servers.host, port: config.telemetry.metricsPort });
  try {
    await worker.start();
  } catch (error) {
    await status.close();
    await services.close();
    throw error;
  }
  return {
    name: worker.name,
    queueName: config.queue.name,
    concurrency: config.workers.concurrency,
    statusUrl,
    async close() {
      await worker.close();
      await status.close();
      await services.close();
    },
  };
}
