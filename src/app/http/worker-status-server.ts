import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { PRODUCT } from '../product.js';
import type { AppServices } from '../services.js';
import { errorsPlugin } from './plugins/errors.js';
import { telemetryPlugin } from './plugins/telemetry.js';

export interface WorkerFacts {
  readonly name: string;
  readonly concurrency: number;
  readonly running: () => number;
}

/**
 * What a `dredge worker` serves on METRICS_PORT: `/health` (its name, concurrency and tasks running),
 * `/metrics` for Prometheus, and `/traces` (the spans of the tasks it ran).
 */
export async function createWorkerStatusServer(
  services: AppServices,
  worker: WorkerFacts,
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: services.logger.child({ component: 'worker-status' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger) => logger,
  });
  await app.register(errorsPlugin, { bodyLimit: 1024 });
  await app.register(telemetryPlugin, { telemetry: services.telemetry });
  app.get('/health', () => ({
    status: 'healthy',
    version: PRODUCT.version,
    worker: worker.name,
    concurrency: worker.concurrency,
    running: worker.running(),
  }));
  return app;
}
