import type { FastifyInstance } from 'fastify';
import type { LoadedConfig } from '../../config/index.js';
import { DredgeError } from '../../services/errors.js';
import { createTaskWorker } from '../../services/queue/index.js';
import type { Logger } from '../../services/telemetry/index.js';
import { createWorkerStatusServer } from '../http/worker-status-server.js';
import { openApp } from '../open-app.js';
import { serviceSettings } from '../service-settings.js';

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
export async function startWorker(
  loaded: LoadedConfig,
  logger: Logger,
  /** Starts the status server listening on METRICS_PORT and answers its URL (the CLI turns a taken port into one line). */
  listen: (app: FastifyInstance) => Promise<string> = (app) =>
    app.listen({ host: loaded.config.servers.host, port: loaded.config.telemetry.metricsPort }),
): Promise<RunningWorker> {
  const { config } = loaded;
  if (config.storage.queueBackend !== 'bullmq') {
    throw new DredgeError(
      'invalid_input',
      'dredge worker takes tasks from a BullMQ queue on Redis: set QUEUE_BACKEND=bullmq (and REDIS_URL); with QUEUE_BACKEND=local the server runs its tasks itself',
    );
  }
  const { services, catalogue, executor } = await openApp(loaded, { serviceName: 'dredge-worker', logger });
  const worker = await createTaskWorker(
    serviceSettings(config).tasks,
    executor,
    services.store.taskResults,
    services.telemetry.metrics,
    logger.child({ component: 'worker' }),
  );
  const status = await createWorkerStatusServer(services, catalogue, {
    name: worker.name,
    concurrency: config.workers.concurrency,
    running: () => worker.running,
  });
  let statusUrl: string;
  try {
    statusUrl = await listen(status);
    await worker.start();
  } catch (error) {
    // Nothing may stay open behind a worker that did not start: its connections, its server, its services.
    await worker.close();
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
