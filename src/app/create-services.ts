import { availableParallelism } from 'node:os';
import { getDeviceInfo, resolveDevice, setHostFacts } from '../core/index.js';
import type { LoadedConfig } from '../config/index.js';
import { createResultCache } from '../services/cache/index.js';
import { ComputePool } from '../services/compute/index.js';
import { ByteBudget } from './byte-budget.js';
import { AuditLog } from './security/audit-log.js';
import { Authenticator } from './security/authenticator.js';
import { RateLimits } from './security/rate-limits.js';
import { DependabotClient } from '../services/github/dependabot-client.js';
import { createTaskService } from '../services/queue/index.js';
import { createWindowCounter } from '../services/rate-limit/index.js';
import { createStore } from '../services/store/index.js';
import { componentLogger, createTelemetry, type Logger } from '../services/telemetry/index.js';
import { PRODUCT } from './product.js';
import { serviceSettings } from './service-settings.js';
import type { AppServices } from './services.js';

/** The GitHub API answers within this, or the Dependabot operation answers 503 (the original waited 10 s). */
const GITHUB_TIMEOUT_MS = 10_000;

export interface CreateServicesOptions {
  /** The name this process reports in traces (`dredge-mcp`, `dredge-api`, `dredge-worker`). */
  readonly serviceName: string;
  readonly logger: Logger;
}

/**
 * Everything operations need, built from the configuration; `close` releases it (connections, timers). Queued tasks
 * run only once `tasks.start` has the executor (`openApp`), which needs the catalogue these services serve.
 */
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
  const settings = serviceSettings(config);
  const store = await createStore(settings.store);
  const compute = new ComputePool(config.workers.threads, config.workers.maxWaiting);
  const cache = await createResultCache(settings.cache, logger);
  const tasks = await createTaskService(
    settings.tasks,
    store.taskResults,
    store.pendingTasks,
    telemetry.metrics,
    componentLogger(logger, 'tasks'),
    `${options.serviceName}:${process.pid}`,
  );
  const rateLimit = config.security.rateLimit;
  const rateLimits = new RateLimits(
    // No counter connection at all while limits are off.
    await createWindowCounter(rateLimit.enabled ? settings.rateLimitRedis : undefined),
    {
      enabled: rateLimit.enabled,
      requests: rateLimit.requests,
      windowMs: rateLimit.windowSeconds * 1000,
      work: rateLimit.work,
    },
    componentLogger(logger, 'rate-limits'),
  );
  const audit = new AuditLog(store.audit, componentLogger(logger, 'audit'));
  return {
    config,
    logger,
    telemetry,
    cache,
    store,
    compute,
    inflightBodies: new ByteBudget(config.servers.maxInflightBodyBytes),
    authenticator: new Authenticator(store.apiKeys, config.security.authEnabled, config.security.apiKey),
    dependabot: new DependabotClient({
      apiUrl: config.integrations.githubApiUrl,
      token: config.integrations.githubToken,
      timeoutMs: Math.min(GITHUB_TIMEOUT_MS, config.servers.requestTimeoutMs),
      maxAlerts: config.integrations.githubMaxAlerts,
      maxResponseBytes: config.integrations.githubMaxResponseBytes,
    }),
    tasks,
    rateLimits,
    audit,
    device: { resolution, info: getDeviceInfo() },
    async close() {
      await tasks.close();
      await compute.close();
      await cache.close();
      await rateLimits.close();
      // The audit's last records are written before the store they go to closes.
      await audit.close();
      await store.close();
      await telemetry.shutdown();
    },
  };
}
