import type { FastifyInstance } from 'fastify';
import type { Catalogue } from '../operations/index.js';
import { PRODUCT } from '../product.js';
import type { AppServices } from '../services.js';
import { createBaseServer } from './base-server.js';
import { probesPlugin } from './plugins/probes.js';

export interface WorkerFacts {
  readonly name: string;
  readonly concurrency: number;
  readonly running: () => number;
}

/** The status server has no path parameters; Fastify's own default bound is kept. */
const MAX_PARAM_LENGTH = 100;

/**
 * What a `dredge worker` serves on METRICS_PORT, on the base every server shares: `/health` (its name,
 * concurrency and tasks running), `/metrics` for Prometheus, and `/traces` (the spans of the tasks it ran).
 */
export async function createWorkerStatusServer(
  services: AppServices,
  catalogue: Catalogue,
  worker: WorkerFacts,
): Promise<FastifyInstance> {
  const { app } = await createBaseServer(services, catalogue, {
    component: 'worker-status',
    maxParamLength: MAX_PARAM_LENGTH,
  });
  await app.register(probesPlugin, {
    health: () => ({
      status: 'healthy',
      version: PRODUCT.version,
      worker: worker.name,
      concurrency: worker.concurrency,
      running: worker.running(),
    }),
  });
  return app;
}
