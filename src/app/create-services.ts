import { availableParallelism } from 'node:os';
import { getDeviceInfo, resolveDevice, setHostFacts } from '../core/index.js';
import type { LoadedConfig } from '../config/index.js';
import { createResultCache } from '../services/cache/index.js';
import { ComputePool } from '../services/compute/index.js';
import { DependabotClient } from '../services/github/dependabot-client.js';
import { createTaskService } from '../services/queue/index.js';
import { createStore } from '../services/store/create-store.js';
import { componentLogger, createTelemetry, type Logger } from '../services/telemetry/index.js';
import { createCatalogue } from './operations/index.js';
import { PRODUCT } from './product.js';
import { catalogueExecutor } from './tasks/catalogue-executor.js';
import type { AppServices } from './services.js';

/** The GitHub API answers within this, or the Dependabot operation answers 503 (the original waited 10 s). */
const GITHUB_TIMEOUT_MS = 10_000;

export interface CreateServicesOptions {
  /** The name this process reports in traces (`dredge-mcp`, `dredge-api`, `dredge-worker`). */
  readonly serviceName: string;
  readonly logger: Logger;
}

/** Everything operations need, built from the configuration; `close` releases it (connections, timers). */
export async function createAppServices(
  loaded: LoadedConfig,
  options: CreateServicesOptions,
): Promise<AppServices & { close(): Promise<void> }> {
  const { config } = loaded;
  const logger = options.logger;
  setHostFacts({ cpuCores: availableParallelism(), accelerators: [] });
  const computeLogger = componentLogger(logger, 'compute');
  const resolution = resolveDevice(config.compute.device, {
    onWarning: (message) => computeLogger.warn(message),
  });
  const telemetry = createTelemetry(config.telemetry, {
    serviceName: options.serviceName,
    serviceVersion: PRODUCT.version,
  });
  const store = await createStore(config);
  const compute = new ComputePool(config.workers.threads);
  const cache = await createResultCache(config, logger, {
    redisKeyPrefix: config.cache.redisKeyPrefix,
    redisConnectTimeoutMs: config.redis.connectTimeoutMs,
    redisCommandTimeoutMs: config.redis.commandTimeoutMs,
    breakerFailureThreshold: config.cache.breakerFailureThreshold,
    breakerCooldownMs: config.cache.breakerCooldownMs,
    fileSweepIntervalMs: config.cache.fileSweepIntervalMs,
  });
  const tasks = await createTaskService(
    config,
    // The executor reaches the services through this closure: they are complete before any task runs.
    catalogueExecutor(createCatalogue(), () => services),
    store.taskResults,
    telemetry.metrics,
    componentLogger(logger, 'tasks'),
    `${options.serviceName}:${process.pid}`,
  );
  const services: AppServices & { close(): Promise<void> } = {
    config,
    logger,
    telemetry,
    cache,
    store,
    compute,
    dependabot: new DependabotClient({
      apiUrl: config.integrations.githubApiUrl,
      token: config.integrations.githubToken,
      timeoutMs: Math.min(GITHUB_TIMEOUT_MS, config.servers.requestTimeoutMs),
    }),
    tasks,
    device: { resolution, info: getDeviceInfo() },
    async close() {
      await tasks.close();
      await compute.close();
      await cache.close();
      await store.close();
      await telemetry.shutdown();
    },
  };
  return services;
}
