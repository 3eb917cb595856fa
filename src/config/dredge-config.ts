import { join, resolve } from 'node:path';
import type { ConfigValues } from './keys.js';

/**
 * The configuration as the rest of the code uses it: grouped by concern, units in the names,
 * paths resolved, Redis as one URL.
 */
/** DATABASE_*: how the PostgreSQL store connects, and how long it waits. */
export interface DatabaseSettings {
  /** DATABASE_URL; required by STORE_BACKEND=postgres. */
  readonly url: string | undefined;
  /** DATABASE_POOL_SIZE. */
  readonly poolSize: number;
  /** DATABASE_STATEMENT_TIMEOUT. */
  readonly statementTimeoutMs: number;
  /** DATABASE_CONNECT_TIMEOUT. */
  readonly connectTimeoutMs: number;
}

export interface DredgeConfig {
  readonly cache: {
    readonly enabled: boolean;
    readonly backend: ConfigValues['CACHE_BACKEND'];
    readonly ttlSeconds: number;
    readonly maxEntries: number;
    readonly maxBytes: number;
    readonly fileDir: string;
    readonly fileSweepIntervalMs: number;
    readonly fileMaxBytes: number;
    readonly redisKeyPrefix: string;
    readonly breakerFailureThreshold: number;
    readonly breakerCooldownMs: number;
  };
  readonly redis: {
    readonly url: string;
    readonly connectTimeoutMs: number;
    /** REDIS_COMMAND_TIMEOUT: the cache's and the health check's. */
    readonly commandTimeoutMs: number;
    /** REDIS_STORE_TIMEOUT. */
    readonly storeCommandTimeoutMs: number;
    /** REDIS_QUEUE_TIMEOUT. */
    readonly queueCommandTimeoutMs: number;
  };
  readonly storage: {
    readonly dataDir: string;
    readonly storeBackend: ConfigValues['STORE_BACKEND'];
    /** The PostgreSQL store's connection (STORE_BACKEND=postgres). */
    readonly database: DatabaseSettings;
    readonly queueBackend: ConfigValues['QUEUE_BACKEND'];
    readonly maxInsights: number;
    readonly maxInsightBytes: number;
  };
  readonly telemetry: {
    readonly metricsEnabled: boolean;
    readonly tracingEnabled: boolean;
    readonly logLevel: ConfigValues['LOG_LEVEL'];
    readonly metricsPort: number;
    readonly traceBufferSpans: number;
    readonly traceSampleRatio: number;
    readonly otlpEndpoint: string | undefined;
    /** OTEL_SERVICE_NAME: the spans' `service.name`, when it is not the command's own. */
    readonly serviceName: string | undefined;
    /** OTEL_RESOURCE_ATTRIBUTES as written (`k=v,k2=v2`, percent-encoded); the telemetry decodes it. */
    readonly resourceAttributes: string | undefined;
  };
  readonly compute: {
    readonly device: ConfigValues['DEVICE'];
    readonly stringNN: { readonly layers: number; readonly hiddenSize: number; readonly batchNorm: boolean };
    readonly maxModels: number;
    readonly maxModelParameters: number;
    /** MODEL_VERSIONS_KEPT: the versions of each model kept, the current one included. */
    readonly modelVersionsKept: number;
    /** MAX_BUNDLE_BYTES: the largest model bundle exported or imported. */
    readonly maxBundleBytes: number;
    /** MEMORY_BUDGET: what the memory bounds are shares of. */
    readonly memoryBudgetBytes: number;
    /** MAX_REQUEST_WORK: the most work (multiply-adds) one request may ask for. */
    readonly maxRequestWork: number;
    /** COMPUTE_INLINE_WORK: work above this leaves the event loop for the compute pool. */
    readonly inlineWork: number;
  };
  readonly workers: {
    readonly threads: number;
    readonly concurrency: number;
    /** COMPUTE_MAX_WAITING: operations that may wait for a compute thread. */
    readonly maxWaiting: number;
  };
  readonly queue: {
    readonly name: string;
    readonly maxWaiting: number;
    readonly taskTimeoutMs: number;
    readonly attempts: number;
    readonly backoffMs: number;
    readonly resultTtlMs: number;
    readonly resultMaxBytes: number;
    readonly lockDurationMs: number;
  };
  readonly security: {
    readonly authEnabled: boolean;
    readonly apiKey: string | undefined;
    /** ALLOW_INSECURE_BIND. */
    readonly allowInsecureBind: boolean;
    /** ALLOWED_HOSTS, lower-cased; empty for any (`*`). */
    readonly allowedHosts: readonly string[];
    /** CORS_ORIGINS. */
    readonly corsOrigins: readonly string[];
    readonly rateLimit: {
      readonly enabled: boolean;
      readonly requests: number;
      readonly windowSeconds: number;
      /** RATE_LIMIT_WORK: heavy work per tenant per window. */
      readonly work: number;
    };
    /** TRUST_PROXY, as Fastify's `trustProxy` takes it. */
    readonly trustProxy: boolean | number | string;
    /** MULTI_TENANT_ENABLED: each key acts in its own tenant (else everyone is the default tenant). */
    readonly multiTenant: boolean;
    /** TENANT_ISOLATION, a legacy key with no effect: tenants are always isolated. */
    readonly tenantIsolation: boolean;
    /** TENANT_MAX_*: what one tenant may keep, applied with MULTI_TENANT_ENABLED only. */
    readonly tenantQuotas: {
      readonly maxModels: number;
      readonly maxParameters: number;
      readonly maxInsights: number;
      readonly maxWaitingTasks: number;
    };
  };
  readonly servers: {
    readonly host: string;
    /** TLS_CERT_FILE and TLS_KEY_FILE: with both, every server speaks HTTPS (one alone is refused at start). */
    readonly tls: { readonly certFile: string | undefined; readonly keyFile: string | undefined } | undefined;
    readonly dredgePort: number;
    readonly mcpPort: number;
    readonly maxConnections: number;
    readonly maxConnectionsPerAddress: number;
    readonly maxBodyBytes: number;
    /** Request bodies received and worked on at once, per process (MAX_INFLIGHT_BODY_BYTES). */
    readonly maxInflightBodyBytes: number;
    readonly requestTimeoutMs: number;
    readonly headersTimeoutMs: number;
    readonly keepAliveTimeoutMs: number;
    /** COMPRESSION_ENABLED and COMPRESSION_MIN_BYTES: which answers leave compressed. */
    readonly compression: { readonly enabled: boolean; readonly minBytes: number };
  };
  readonly batch: { readonly size: number; readonly timeoutMs: number };
  readonly integrations: {
    readonly githubApiUrl: string;
    readonly githubToken: string | undefined;
    /** GITHUB_REPOSITORIES: the `owner/name`s update_dependabot_alert may change. */
    readonly githubRepositories: readonly string[];
    /** GITHUB_MAX_ALERTS: the most alerts get_dependabot_alerts reads. */
    readonly githubMaxAlerts: number;
    /** GITHUB_MAX_RESPONSE_BYTES: the most bytes read of one answer of the GitHub API. */
    readonly githubMaxResponseBytes: number;
  };
}

/** `REDIS_URL` when given, else a URL built from the original's separate keys. */
export function redisUrl(values: ConfigValues): string {
  if (values.REDIS_URL) return values.REDIS_URL;
  const auth = values.REDIS_PASSWORD ? `:${encodeURIComponent(values.REDIS_PASSWORD)}@` : '';
  const host = values.REDIS_HOST.includes(':') ? `[${values.REDIS_HOST}]` : values.REDIS_HOST;
  return `redis://${auth}${host}:${values.REDIS_PORT}/${values.REDIS_DB}`;
}

export function toDredgeConfig(values: ConfigValues, cwd: string): DredgeConfig {
  const dataDir = resolve(cwd, values.DATA_DIR);
  return {
    cache: {
      enabled: values.CACHE_ENABLED,
      backend: values.CACHE_BACKEND,
      ttlSeconds: values.CACHE_TTL,
      maxEntries: values.CACHE_MAX_ENTRIES,
      maxBytes: values.CACHE_MAX_BYTES,
      fileDir: values.FILE_CACHE_DIR ? resolve(cwd, values.FILE_CACHE_DIR) : join(dataDir, 'cache'),
      fileSweepIntervalMs: values.FILE_CACHE_SWEEP_INTERVAL * 1000,
      fileMaxBytes: values.FILE_CACHE_MAX_BYTES,
      redisKeyPrefix: values.CACHE_REDIS_PREFIX,
      breakerFailureThreshold: values.CACHE_BREAKER_THRESHOLD,
      breakerCooldownMs: Math.round(values.CACHE_BREAKER_COOLDOWN * 1000),
    },
    redis: {
      url: redisUrl(values),
      connectTimeoutMs: Math.round(values.REDIS_CONNECT_TIMEOUT * 1000),
      commandTimeoutMs: Math.max(1, Math.round(values.REDIS_COMMAND_TIMEOUT * 1000)),
      storeCommandTimeoutMs: Math.round(values.REDIS_STORE_TIMEOUT * 1000),
      queueCommandTimeoutMs: Math.round(values.REDIS_QUEUE_TIMEOUT * 1000),
    },
    storage: {
      dataDir,
      storeBackend: values.STORE_BACKEND,
      database: {
        url: values.DATABASE_URL,
        poolSize: values.DATABASE_POOL_SIZE,
        statementTimeoutMs: Math.max(1, Math.round(values.DATABASE_STATEMENT_TIMEOUT * 1000)),
        connectTimeoutMs: Math.max(1, Math.round(values.DATABASE_CONNECT_TIMEOUT * 1000)),
      },
      queueBackend: values.QUEUE_BACKEND,
      maxInsights: values.MAX_INSIGHTS,
      maxInsightBytes: values.MAX_INSIGHT_BYTES,
    },
    telemetry: {
      metricsEnabled: values.METRICS_ENABLED,
      tracingEnabled: values.TRACING_ENABLED,
      logLevel: values.LOG_LEVEL,
      metricsPort: values.METRICS_PORT,
      traceBufferSpans: values.TRACE_BUFFER_SPANS,
      traceSampleRatio: values.TRACE_SAMPLE_RATIO,
      otlpEndpoint: values.OTEL_EXPORTER_OTLP_ENDPOINT,
      serviceName: values.OTEL_SERVICE_NAME,
      resourceAttributes: values.OTEL_RESOURCE_ATTRIBUTES,
    },
    compute: {
      device: values.DEVICE,
      stringNN: {
        layers: values.STRING_NN_LAYERS,
        hiddenSize: values.STRING_NN_HIDDEN,
        batchNorm: values.STRING_NN_BATCH_NORM,
      },
      maxModels: values.MAX_MODELS,
      maxModelParameters: values.MAX_MODEL_PARAMETERS,
      modelVersionsKept: values.MODEL_VERSIONS_KEPT,
      maxBundleBytes: values.MAX_BUNDLE_BYTES,
      memoryBudgetBytes: values.MEMORY_BUDGET,
      maxRequestWork: values.MAX_REQUEST_WORK,
      inlineWork: values.COMPUTE_INLINE_WORK,
    },
    workers: {
      threads: values.NUM_WORKERS,
      concurrency: values.WORKER_CONCURRENCY,
      maxWaiting: values.COMPUTE_MAX_WAITING,
    },
    queue: {
      name: values.QUEUE_NAME,
      maxWaiting: values.QUEUE_MAX_WAITING,
      taskTimeoutMs: Math.round(values.TASK_TIMEOUT * 1000),
      attempts: values.TASK_ATTEMPTS,
      backoffMs: Math.round(values.TASK_BACKOFF * 1000),
      resultTtlMs: values.TASK_RESULT_TTL * 1000,
      resultMaxBytes: values.TASK_RESULT_MAX_BYTES,
      lockDurationMs: values.WORKER_LOCK_DURATION * 1000,
    },
    security: {
      authEnabled: values.AUTH_ENABLED,
      apiKey: values.API_KEY,
      allowInsecureBind: values.ALLOW_INSECURE_BIND,
      allowedHosts: values.ALLOWED_HOSTS === '*' ? [] : commaList(values.ALLOWED_HOSTS.toLowerCase()),
      corsOrigins: commaList(values.CORS_ORIGINS ?? ''),
      rateLimit: {
        enabled: values.RATE_LIMIT_ENABLED,
        requests: values.RATE_LIMIT_REQUESTS,
        windowSeconds: values.RATE_LIMIT_WINDOW,
        work: values.RATE_LIMIT_WORK,
      },
      trustProxy:
        values.TRUST_PROXY === 'true'
          ? true
          : values.TRUST_PROXY === 'false'
            ? false
            : /^\d+$/.test(values.TRUST_PROXY)
              ? Number(values.TRUST_PROXY)
              : values.TRUST_PROXY,
      multiTenant: values.MULTI_TENANT_ENABLED,
      tenantIsolation: values.TENANT_ISOLATION,
      tenantQuotas: {
        maxModels: values.TENANT_MAX_MODELS,
        maxParameters: values.TENANT_MAX_MODEL_PARAMETERS,
        maxInsights: values.TENANT_MAX_INSIGHTS,
        maxWaitingTasks: values.TENANT_MAX_WAITING_TASKS,
      },
    },
    servers: {
      host: values.BIND_HOST,
      tls:
        values.TLS_CERT_FILE || values.TLS_KEY_FILE
          ? { certFile: values.TLS_CERT_FILE, keyFile: values.TLS_KEY_FILE }
          : undefined,
      dredgePort: values.DREDGE_SERVER_PORT,
      mcpPort: values.MCP_SERVER_PORT,
      maxConnections: values.MAX_CONNECTIONS,
      maxConnectionsPerAddress: values.MAX_CONNECTIONS_PER_ADDRESS,
      maxBodyBytes: values.MAX_BODY_BYTES,
      maxInflightBodyBytes: values.MAX_INFLIGHT_BODY_BYTES,
      requestTimeoutMs: Math.round(values.REQUEST_TIMEOUT * 1000),
      headersTimeoutMs: Math.round(values.HEADERS_TIMEOUT * 1000),
      keepAliveTimeoutMs: Math.round(values.KEEP_ALIVE_TIMEOUT * 1000),
      compression: { enabled: values.COMPRESSION_ENABLED, minBytes: values.COMPRESSION_MIN_BYTES },
    },
    batch: { size: values.BATCH_SIZE, timeoutMs: Math.round(values.BATCH_TIMEOUT * 1000) },
    integrations: {
      githubApiUrl: values.GITHUB_API_URL,
      githubToken: values.GITHUB_TOKEN,
      githubRepositories: commaList(values.GITHUB_REPOSITORIES ?? ''),
      githubMaxAlerts: values.GITHUB_MAX_ALERTS,
      githubMaxResponseBytes: values.GITHUB_MAX_RESPONSE_BYTES,
    },
  };
}

/** A comma-separated list's items, trimmed, without empty ones. */
function commaList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
