import type { LoadedConfig } from '../config/index.js';
import type { TaskExecutor } from '../services/queue/index.js';
import { createAppServices, type CreateServicesOptions } from './create-services.js';
import { createCatalogue, type Catalogue } from './operations/index.js';
import type { AppServices } from './services.js';
import { catalogueExecutor } from './tasks/catalogue-executor.js';

/** What a DREDGE process serves from: the catalogue and the services, each built once. */
export interface OpenApp {
  readonly catalogue: Catalogue;
  /** `close` releases them: the task service first (its running tasks finish), then the rest. */
  readonly services: AppServices & { close(): Promise<void> };
  /** How a queued task runs in this process: its catalogue operation, on these services. */
  readonly executor: TaskExecutor;
}

/**
 * Builds the catalogue and the services, then starts the task service with the executor: with QUEUE_BACKEND=local
 * this process runs its queued tasks from then on; with bullmq `dredge worker` processes run them (`startWorker`).
 */
export async function openApp(loaded: LoadedConfig, options: CreateServicesOptions): Promise<OpenApp> {
  const catalogue = createCatalogue();
  const services = await createAppServices(loaded, options);
  const executor = catalogueExecutor(catalogue, services);
  services.tasks.start(executor);
  return { catalogue, services, executor };
}
