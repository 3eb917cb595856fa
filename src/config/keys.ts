import {
  booleanKey,
  decimalKey,
  enumKey,
  integerKey,
  optionalStringKey,
  ratioKey,
  stringKey,
  type ValueOf,
} from './key-types.js';

/** Log levels: pino's names, plus the original's (DEBUG, INFO, WARNING, ERROR, CRITICAL) mapped onto them. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export const DEVICES = ['auto', 'cpu', 'cuda', 'mps'] as const;
export const CACHE_BACKENDS = ['memory', 'file', 'redis'] as const;
export const STORE_BACKENDS = ['sqlite', 'redis', 'postgres'] as const;
export const QUEUE_BACKENDS = ['local', 'bullmq'] as const;

const HOUR = 3600;
const YEAR = 365 * 24 * HOUR;
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** The most attempts and the longest attempt a task may have, whether the server's default or a client's ask. */
export const MAX_TASK_ATTEMPTS = 20;
export const MAX_TASK_TIMEOUT_SECONDS = 86_400;

/**
 * Every configuration key DREDGE reads, with the original's names, defaults and units, and a bound for each.
 * The order here is the order of `dredge config show` and of `.env.example`.
 */
export const CONFIG_KEYS = {
  // Cache
  CACHE_ENABLED: booleanKey(true, {
    feature: 'cache',
    description: 'Check the result cache before computing.',
  }),
  CACHE_BACKEND: enumKey(CACHE_BACKENDS, 'memory', {
    feature: 'cache',
    description: 'Where cached results live: bounded memory, files under FILE_CACHE_DIR, or Redis (shared).',
  }),
  CACHE_TTL: integerKey(1, YEAR, HOUR, {
    unit: 'seconds',
    feature: 'cache',
    description: 'How long a cached result stays valid, in seconds.',
  }),
  CACHE_MAX_ENTRIES: integerKey(1, 10_000_000, 10_000, {
    feature: 'cache',
    description: 'The memory cache evicts the least recently used entry beyond this many entries.',
  }),
  CACHE_MAX_BYTES: integerKey(1024, 8 * GIB, 64 * MIB, {
    unit: 'bytes',
    feature: 'cache',
    description:
      'The memory cache evicts the least recently used entries beyond this many bytes. Default: MEMORY_BUDGET / 16.',
  }),
  FILE_CACHE_DIR: optionalStringKey(4096, {
    feature: 'cache',
    description: 'Directory of the file cache (default: DATA_DIR/cache).',
  }),
  FILE_CACHE_SWEEP_INTERVAL: integerKey(0, 86_400, 600, {
    unit: 'seconds',
    feature: 'cache',
    description: 'How often the file cache removes expired entries and abandoned temporary files (0: never).',
  }),
  FILE_CACHE_MAX_BYTES: integerKey(1024, 1024 * GIB, GIB, {
    unit: 'bytes',
    feature: 'cache',
    description:
      'The file cache removes the least recently used entries beyond this many bytes on disk (counted per process).',
  }),
  CACHE_REDIS_PREFIX: stringKey('dredge:cache:', 256, {
    feature: 'cache',
    description: 'Prefix of every Redis key the cache writes; clearing the cache removes only these.',
  }),
  CACHE_BREAKER_THRESHOLD: integerKey(1, 1000, 3, {
    feature: 'cache',
    description:
      'Consecutive Redis failures that open the circuit: then lookups are misses at once, without waiting.',
  }),
  CACHE_BREAKER_COOLDOWN: decimalKey(0.05, 300, 1, {
    unit: 'seconds',
    feature: 'cache',
    description: 'While the circuit is open, Redis is probed this often; it closes when Redis answers.',
  }),

  // Redis: one URL, or the original's separate parts
  REDIS_URL: optionalStringKey(2048, {
    feature: 'cache',
    pattern: /^rediss?:\/\//,
    patternText: 'a redis:// or rediss:// URL',
    example: 'redis://:password@redis.internal:6379/0',
    description:
      'Redis connection URL (its password is redacted when shown); when set it wins over REDIS_HOST, REDIS_PORT, REDIS_DB and REDIS_PASSWORD.',
  }),
  REDIS_HOST: stringKey('127.0.0.1', 255, { feature: 'cache', description: 'Redis host name.' }),
  REDIS_PORT: integerKey(1, 65_535, 6379, { feature: 'cache', description: 'Redis port.' }),
  REDIS_DB: integerKey(0, 255, 0, { feature: 'cache', description: 'Redis database number.' }),
  REDIS_PASSWORD: optionalStringKey(512, { feature: 'cache', secret: true, description: 'Redis password.' }),
  REDIS_CONNECT_TIMEOUT: decimalKey(0.05, 60, 1, {
    unit: 'seconds',
    feature: 'cache',
    description: 'Longest wait for a Redis connection, at start and on each reconnect.',
  }),
  REDIS_COMMAND_TIMEOUT: decimalKey(0.001, 30, 0.25, {
    unit: 'seconds',
    feature: 'cache',
    description:
      'Longest wait for one command of the Redis cache (never more than a quarter of REQUEST_TIMEOUT) and of `dredge health`’s Redis check; the store and the queue have their own (REDIS_STORE_TIMEOUT, REDIS_QUEUE_TIMEOUT).',
  }),
  REDIS_STORE_TIMEOUT: decimalKey(0.05, 300, 10, {
    unit: 'seconds',
    feature: 'store',
    description:
      'Longest wait for one command of the Redis store (STORE_BACKEND=redis); a store that does not answer by then is a 503.',
  }),
  REDIS_QUEUE_TIMEOUT: decimalKey(0.05, 300, 5, {
    unit: 'seconds',
    feature: 'queue',
    description:
      'Longest wait for one command of the task queue on Redis (QUEUE_BACKEND=bullmq) other than a worker’s blocking wait; a queue that does not answer by then is a 503.',
  }),

  // Data and distribution
  DATA_DIR: stringKey('./.dredge', 4096, {
    feature: 'store',
    description: 'Where embedded state lives (SQLite store, file cache by default).',
  }),
  STORE_BACKEND: enumKey(STORE_BACKENDS, 'sqlite', {
    feature: 'store',
    description:
      'Models, insights, task results, API keys and the audit log: SQLite in DATA_DIR, Redis shared by replicas, or PostgreSQL (DATABASE_URL) shared by replicas.',
  }),
  DATABASE_URL: optionalStringKey(2048, {
    feature: 'store',
    secret: true,
    pattern: /^postgres(ql)?:\/\//,
    patternText: 'a postgres:// or postgresql:// URL',
    example: 'postgres://dredge:password@db.internal:5432/dredge',
    description:
      'The PostgreSQL database of STORE_BACKEND=postgres; its schema is made and upgraded at start (numbered migrations, one replica at a time).',
  }),
  DATABASE_POOL_SIZE: integerKey(2, 200, 10, {
    feature: 'store',
    description:
      'Most connections one process opens to PostgreSQL (STORE_BACKEND=postgres): half for model values, on the store’s own thread, half for the rest; a query waits for a free one at most DATABASE_CONNECT_TIMEOUT.',
  }),
  DATABASE_STATEMENT_TIMEOUT: decimalKey(0.05, 300, 10, {
    unit: 'seconds',
    feature: 'store',
    description:
      'Longest one PostgreSQL statement may run (the server cancels it) and longest the store waits for its answer; a database that does not answer by then is a 503.',
  }),
  DATABASE_CONNECT_TIMEOUT: decimalKey(0.05, 60, 5, {
    unit: 'seconds',
    feature: 'store',
    description:
      'Longest wait for a PostgreSQL connection (a new one, or a free one of the pool); a database that cannot be reached by then is a 503.',
  }),
  MAX_INSIGHTS: integerKey(1, 10_000_000, 100_000, {
    feature: 'store',
    description: 'Most insights kept; POST /lift of a new text answers 413 beyond it until one is deleted.',
  }),
  MAX_INSIGHT_BYTES: integerKey(64 * 1024, 8 * GIB, 64 * MIB, {
    unit: 'bytes',
    feature: 'store',
    description:
      'Most bytes of insight text kept in all; POST /lift of a new text answers 413 beyond it until one is deleted.',
  }),
  QUEUE_BACKEND: enumKey(QUEUE_BACKENDS, 'local', {
    feature: 'queue',
    description: 'Task execution: a worker-thread pool in the server, or a BullMQ queue on Redis.',
  }),

  // Observability
  METRICS_ENABLED: booleanKey(true, {
    feature: 'telemetry',
    description: 'Collect metrics and serve /metrics.',
  }),
  TRACING_ENABLED: booleanKey(true, { feature: 'telemetry', description: 'Record OpenTelemetry spans.' }),
  LOG_LEVEL: enumKey(LOG_LEVELS, 'info', {
    feature: 'logging',
    aliases: { warning: 'warn', critical: 'fatal' },
    description: "Log level; the original's DEBUG, INFO, WARNING, ERROR and CRITICAL are accepted too.",
  }),
  // 9464, the OpenTelemetry Prometheus exporter's port: the original's 9090 is Prometheus's own.
  METRICS_PORT: integerKey(0, 65_535, 9464, {
    feature: 'queue',
    description:
      'Port of the /metrics endpoint of processes without a server of their own (`dredge worker`); servers serve /metrics on their own port.',
  }),
  TRACE_SAMPLE_RATIO: ratioKey(0.1, {
    feature: 'telemetry',
    description:
      'Share of requests that start a trace (0 to 1). A request whose traceparent says "sampled" is always traced, and so are its queued tasks.',
  }),
  TRACE_BUFFER_SPANS: integerKey(0, 100_000, 4096, {
    feature: 'telemetry',
    description: 'Recent spans kept in memory for get_traces and GET /traces; the oldest are dropped first.',
  }),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalStringKey(2048, {
    feature: 'telemetry',
    pattern: /^https?:\/\//,
    patternText: 'an http:// or https:// URL',
    example: 'http://otel-collector:4318',
    description: 'When set, spans are also sent over OTLP/HTTP (JSON) to this collector (…/v1/traces).',
  }),
  OTEL_SERVICE_NAME: optionalStringKey(255, {
    feature: 'telemetry',
    example: 'dredge-eu-1',
    description:
      "`service.name` of every span (OpenTelemetry's standard key); by default the command's: `dredge`, `dredge-mcp`, `dredge-worker` …",
  }),
  OTEL_RESOURCE_ATTRIBUTES: optionalStringKey(4096, {
    feature: 'telemetry',
    // OpenTelemetry's format: key=value pairs, commas between; ',' '=' and '%' inside a key or value percent-encoded.
    pattern: /^[^=,]+=[^=,]*(,[^=,]+=[^=,]*)*$/,
    patternText: 'key=value pairs separated by commas (, = and % inside percent-encoded)',
    example: 'deployment.environment=production,team=physics',
    description:
      "Extra attributes of every span's resource (OpenTelemetry's standard key), percent-decoded; OTEL_SERVICE_NAME wins over a `service.name` here.",
  }),

  // Compute
  DEVICE: enumKey(DEVICES, 'auto', {
    feature: 'compute',
    description:
      'Compute device; an accelerator that cannot run the kernels falls back to the CPU with a warning.',
  }),
  STRING_NN_LAYERS: integerKey(1, 10, 2, {
    feature: 'compute',
    description:
      'StringTheoryNN hidden layers when load_model does not say (2, as the original served; its example env file said 3).',
  }),
  STRING_NN_HIDDEN: integerKey(1, 1024, 64, {
    feature: 'compute',
    description: 'StringTheoryNN hidden size when load_model does not say.',
  }),
  MAX_MODELS: integerKey(1, 100_000, 1000, {
    feature: 'compute',
    description: 'Most models loaded at once; load_model answers 413 beyond it until one is deleted.',
  }),
  MAX_MODEL_PARAMETERS: integerKey(1000, 1_000_000_000, 16_777_216, {
    feature: 'compute',
    description:
      'Most parameters of all loaded models together (8 bytes each), so memory stays bounded. Default: MEMORY_BUDGET / 64 (an eighth of it in values).',
  }),
  MODEL_VERSIONS_KEPT: integerKey(1, 20, 3, {
    feature: 'compute',
    description:
      'Versions of each model the store keeps, the current one included: every training keeps the state it replaces and drops the oldest beyond this; inference and get_parameters may name a kept version, rollback_model makes one current. Older versions live in the store only (never in memory) and are not counted by MAX_MODEL_PARAMETERS: the store holds at most this many times it in values.',
  }),
  MAX_BUNDLE_BYTES: integerKey(1024, GIB, 16 * MIB, {
    unit: 'bytes',
    feature: 'compute',
    description:
      'Largest model bundle export_model writes and import_model (and GET /models/{id}/bundle, POST /models/import) reads; larger ones answer 413 before they are read. 16 MiB holds about 2 million parameters; the binary import route turns its body into base64 on the event loop, about 1 ms a MiB.',
  }),
  MEMORY_BUDGET: integerKey(128 * MIB, 1024 * GIB, GIB, {
    unit: 'bytes',
    feature: 'compute',
    description:
      'The memory one DREDGE process is planned to fit in; MAX_MODEL_PARAMETERS, MAX_BODY_BYTES, MAX_INFLIGHT_BODY_BYTES and CACHE_MAX_BYTES default to shares of it.',
  }),
  STRING_NN_BATCH_NORM: booleanKey(false, {
    feature: 'compute',
    description: 'StringTheoryNN uses BatchNorm1d after each hidden Linear.',
  }),
  MAX_REQUEST_WORK: integerKey(1_000_000, 1e15, 1e10, {
    unit: 'multiply-adds',
    feature: 'compute',
    description:
      "Most work one request or task may ask for (the README's table gives each operation's formula; 1e10 is about a minute of one core); above it, 413 before any work starts.",
  }),
  COMPUTE_INLINE_WORK: integerKey(0, 1e9, 1_000_000, {
    unit: 'multiply-adds',
    feature: 'compute',
    description:
      'Work up to which an operation computes on the event loop (1e6: about a millisecond); above it, on a worker thread, stopped when the client goes away or the task is cancelled.',
  }),

  // Workers
  NUM_WORKERS: integerKey(1, 64, 2, {
    feature: 'workers',
    description: 'Worker threads for CPU-heavy operations (default 1 on Termux and iSH).',
  }),
  COMPUTE_MAX_WAITING: integerKey(0, 10_000, 16, {
    feature: 'workers',
    description:
      'CPU-heavy operations (trainings, benchmarks, large inferences, fits, model creations, get_parameters) that may wait for a busy worker thread; beyond it they answer 503 with Retry-After.',
  }),
  WORKER_CONCURRENCY: integerKey(1, 256, 4, {
    feature: 'queue',
    description:
      'Tasks run at once by a `dredge worker` process (`--concurrency` overrides it), or by the server itself with QUEUE_BACKEND=local.',
  }),
  QUEUE_NAME: stringKey('dredge-tasks', 64, {
    feature: 'queue',
    pattern: /^[A-Za-z0-9_.-]+$/,
    patternText: 'letters, digits, _ . and - only',
    example: 'dredge-tasks',
    description: 'Name of the BullMQ queue; servers and workers that share it share tasks.',
  }),
  QUEUE_MAX_WAITING: integerKey(1, 10_000_000, 100_000, {
    feature: 'queue',
    description: 'Most tasks waiting at once; submitting beyond it answers 503 until workers catch up.',
  }),
  TASK_TIMEOUT: decimalKey(0, MAX_TASK_TIMEOUT_SECONDS, 300, {
    unit: 'seconds',
    feature: 'queue',
    description:
      'Longest one attempt of a task may run, in seconds; a task that runs longer fails with `timeout`.',
  }),
  TASK_ATTEMPTS: integerKey(1, MAX_TASK_ATTEMPTS, 3, {
    feature: 'queue',
    description:
      'Most attempts per task when it fails for a transient reason (`unavailable`); other failures are final.',
  }),
  TASK_BACKOFF: decimalKey(0, 3600, 1, {
    unit: 'seconds',
    feature: 'queue',
    description: 'Wait before the first retry, in seconds; it doubles with each further attempt.',
  }),
  TASK_RESULT_TTL: integerKey(1, YEAR, 86_400, {
    unit: 'seconds',
    feature: 'queue',
    description: 'How long a finished task and its result can be fetched, in seconds.',
  }),
  TASK_RESULT_MAX_BYTES: integerKey(1024, GIB, 8 * MIB, {
    unit: 'bytes',
    feature: 'queue',
    description:
      'Largest answer a task may keep as its result (JSON); a task whose answer is larger fails with `too_large`.',
  }),
  WORKER_LOCK_DURATION: integerKey(1, 3600, 30, {
    unit: 'seconds',
    feature: 'queue',
    description:
      'A task is taken over by another worker (or server, with QUEUE_BACKEND=local) when its holder has not renewed its lock for this long (it was killed), in seconds.',
  }),

  // Security
  AUTH_ENABLED: booleanKey(false, {
    feature: 'access',
    description:
      'Require an API key (Authorization: Bearer, or X-API-Key) on every route but /health and /ready; keys are made with `dredge keys create`.',
  }),
  API_KEY: optionalStringKey(512, {
    feature: 'access',
    secret: true,
    description:
      'A key of the original: accepted as an administrator key of the default tenant (with AUTH_ENABLED), and the key `dredge mcp --stdio` acts with.',
  }),
  ALLOW_INSECURE_BIND: booleanKey(false, {
    feature: 'access',
    description:
      'Insecure: let the servers listen on an address other than loopback with AUTH_ENABLED=false, where anyone who reaches them may do anything.',
  }),
  ALLOWED_HOSTS: stringKey('localhost,127.0.0.1,[::1]', 4096, {
    feature: 'access',
    pattern: /^(\*|([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(,([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]))*)$/,
    patternText: 'a comma-separated list of host names or addresses (IPv6 in brackets, no ports), or *',
    example: 'dredge.example.com,localhost',
    description:
      'Host names the servers answer to, in the Host header and in an Origin header (comma-separated; * for any). Requests naming another host get 403: this stops DNS rebinding.',
  }),
  CORS_ORIGINS: optionalStringKey(4096, {
    feature: 'access',
    pattern: /^https?:\/\/[^,\s]+(,https?:\/\/[^,\s]+)*$/,
    patternText: 'a comma-separated list of origins (scheme://host[:port])',
    example: 'https://app.example.com',
    description: 'Origins whose pages may call the servers from a browser (CORS); none by default.',
  }),
  RATE_LIMIT_ENABLED: booleanKey(false, {
    feature: 'access',
    description:
      'Limit operations per API key (per client address without authentication) and heavy work per tenant, in fixed windows; 429 with Retry-After beyond. Shared through Redis when Redis is configured.',
  }),
  RATE_LIMIT_REQUESTS: integerKey(1, 1_000_000, 100, {
    feature: 'access',
    description:
      'Operations allowed per key (or client address) per window; every operation counts, each call of a JSON-RPC batch and each task submitted included.',
  }),
  RATE_LIMIT_WINDOW: integerKey(1, 86_400, 60, {
    unit: 'seconds',
    feature: 'access',
    description: 'Rate-limit window in seconds.',
  }),
  RATE_LIMIT_WORK: integerKey(1_000_000, 1e15, 1e12, {
    unit: 'multiply-adds',
    feature: 'access',
    description:
      'Work (multiply-adds, see MAX_REQUEST_WORK) allowed per tenant per window for operations above COMPUTE_INLINE_WORK.',
  }),
  TRUST_PROXY: stringKey('false', 1024, {
    feature: 'access',
    pattern: /^(true|false|\d+|[0-9A-Fa-f.:/]+(,[0-9A-Fa-f.:/]+)*)$/,
    patternText:
      'true, false, a number of proxies, or a comma-separated list of proxy addresses or CIDR ranges',
    example: '10.0.0.0/8,127.0.0.1',
    description:
      "Which load balancers to believe about the client address (X-Forwarded-For), for rate limits and logs: false (the default: the connection's address), true (any), a hop count, or their addresses.",
  }),
  MULTI_TENANT_ENABLED: booleanKey(false, {
    feature: 'access',
    description:
      'Each API key acts in its own tenant (`dredge keys create --tenant`): models, insights, tasks, cache entries and traces are kept apart, another tenant’s are 404, and the TENANT_MAX_* quotas apply. Off: every key is the default tenant.',
  }),
  // The original's env file set it; isolation is not optional once MULTI_TENANT_ENABLED is on, so it is accepted
  // (either value) and changes nothing.
  TENANT_ISOLATION: booleanKey(true, {
    feature: 'legacy',
    description:
      'No effect: with MULTI_TENANT_ENABLED tenants are always isolated (another tenant’s objects answer 404); there is no shared mode.',
  }),
  TENANT_MAX_MODELS: integerKey(1, 100_000, 100, {
    feature: 'access',
    description:
      'With MULTI_TENANT_ENABLED, most models one tenant may keep (within MAX_MODELS for all); load_model answers 413 beyond it.',
  }),
  TENANT_MAX_MODEL_PARAMETERS: integerKey(1000, 1_000_000_000, 4_194_304, {
    feature: 'access',
    description:
      'With MULTI_TENANT_ENABLED, most parameters of one tenant’s models together (within MAX_MODEL_PARAMETERS for all); load_model answers 413 beyond it.',
  }),
  TENANT_MAX_INSIGHTS: integerKey(1, 10_000_000, 10_000, {
    feature: 'access',
    description:
      'With MULTI_TENANT_ENABLED, most insights one tenant may keep (within MAX_INSIGHTS for all); POST /lift of a new text answers 413 beyond it.',
  }),
  TENANT_MAX_WAITING_TASKS: integerKey(1, 10_000_000, 1000, {
    feature: 'access',
    description:
      'With MULTI_TENANT_ENABLED, most tasks of one tenant submitted and not finished yet (within QUEUE_MAX_WAITING for all); submit_task answers 429 beyond it.',
  }),

  // Servers
  BIND_HOST: stringKey('127.0.0.1', 255, {
    feature: 'servers',
    description:
      "Address the servers (and a worker's status server) listen on: 127.0.0.1, this machine only; 0.0.0.0, every interface (needs AUTH_ENABLED, or ALLOW_INSECURE_BIND).",
  }),
  TLS_CERT_FILE: optionalStringKey(4096, {
    feature: 'servers',
    description:
      "A PEM certificate (chain): with TLS_KEY_FILE, every server (and a worker's status server) speaks HTTPS only, and sends HSTS.",
  }),
  TLS_KEY_FILE: optionalStringKey(4096, {
    feature: 'servers',
    description: 'The PEM private key of TLS_CERT_FILE.',
  }),
  DREDGE_SERVER_PORT: integerKey(0, 65_535, 3001, {
    feature: 'dredge-server',
    description: 'DREDGE server port.',
  }),
  MCP_SERVER_PORT: integerKey(0, 65_535, 3002, { feature: 'servers', description: 'MCP server port.' }),
  PROCESSES: stringKey('1', 4, {
    feature: 'servers',
    pattern: /^(auto|[1-9]|[1-5][0-9]|6[0-4])$/,
    patternText: 'auto (one per available core) or a whole number from 1 to 64',
    example: 'auto',
    description:
      'Server processes `dredge up`, `mcp` and `serve` run on the same ports, supervised (a crashed one is restarted; SIGTERM drains all). Above 1 the ports must be fixed (not 0). Each process has its own memory cache, compute pool and rate-limit counters (unless Redis); SQLite in DATA_DIR and the local queue are shared.',
  }),
  MAX_CONNECTIONS: integerKey(1, 100_000, 100, {
    feature: 'servers',
    description: 'Concurrent connections a server accepts.',
  }),
  MAX_CONNECTIONS_PER_ADDRESS: integerKey(1, 100_000, 32, {
    feature: 'servers',
    description:
      'Concurrent connections one client address may hold; its further connections are closed at once while other addresses are served (behind a proxy that connects from one address, raise it to MAX_CONNECTIONS).',
  }),
  HEADERS_TIMEOUT: decimalKey(0.1, 600, 10, {
    unit: 'seconds',
    feature: 'servers',
    description:
      'Longest time a client may take to send a request’s headers (a connection that sends nothing included), in seconds; it then gets 408 and is closed. Never more than REQUEST_TIMEOUT.',
  }),
  KEEP_ALIVE_TIMEOUT: decimalKey(0.1, 600, 5, {
    unit: 'seconds',
    feature: 'servers',
    description:
      'How long an idle keep-alive connection stays open waiting for its next request, in seconds (Node.js adds one second before closing it).',
  }),
  MAX_BODY_BYTES: integerKey(1024, 268_435_456, 256 * 1024, {
    unit: 'bytes',
    feature: 'servers',
    description:
      'Largest request body; larger ones get 413. Default: MEMORY_BUDGET / 4096, 256 KiB (JSON is parsed on the event loop, about 10 ms a MiB: a larger bound lets one request hold it longer).',
  }),
  MAX_INFLIGHT_BODY_BYTES: integerKey(1024, 16 * GIB, 64 * MIB, {
    unit: 'bytes',
    feature: 'servers',
    description:
      'Request bodies being received and worked on at once, per process; beyond it a request gets 503 with Retry-After. Default: MEMORY_BUDGET / 16.',
  }),
  REQUEST_TIMEOUT: decimalKey(0, 3600, 30, {
    unit: 'seconds',
    feature: 'servers',
    description: 'Longest time a request may take, in seconds.',
  }),
  COMPRESSION_ENABLED: booleanKey(true, {
    feature: 'servers',
    description:
      'Answers of COMPRESSION_MIN_BYTES or more are compressed (br, gzip or deflate, as the client’s Accept-Encoding prefers; any over 64 KiB on libuv’s thread pool, never on the event loop); off: every answer is sent as it is.',
  }),
  COMPRESSION_MIN_BYTES: integerKey(1, 1_048_576, 1024, {
    unit: 'bytes',
    feature: 'servers',
    description:
      'Smallest answer that is compressed: below it an answer costs less to send as it is than to compress (and keeps its Content-Length).',
  }),
  // The original's env file had BATCH_SIZE, but its batch pipeline never read it; `dredge batch --workers`
  // says how many tasks run at once, so the key is accepted and has no effect.
  BATCH_SIZE: integerKey(1, 10_000, 32, {
    feature: 'legacy',
    description:
      'No effect (the original’s batch pipeline never read it); `dredge batch --workers` sets how many tasks run at once.',
  }),
  BATCH_TIMEOUT: decimalKey(0, 3600, 5, {
    unit: 'seconds',
    feature: 'batch',
    description:
      'Longest wait for one task of `dredge batch` (over HTTP, through the queue, or in process when not inline), in seconds; a task not answered by then fails with `timeout`.',
  }),

  // Integrations
  GITHUB_API_URL: stringKey('https://api.github.com', 2048, {
    feature: 'integrations',
    // The token travels with every call: never in the clear, but to this machine (a test double, a local proxy).
    pattern: /^(https:\/\/|http:\/\/(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d{1,5})?(\/|$))/,
    patternText: 'an https:// URL (http:// only for localhost, 127.x.x.x or [::1])',
    example: 'https://github.example.com/api/v3',
    description: 'Root of the GitHub REST API used by the Dependabot operations.',
  }),
  GITHUB_TOKEN: optionalStringKey(1024, {
    feature: 'integrations',
    secret: true,
    description: 'Token for the Dependabot operations (GitHub REST API).',
  }),
  GITHUB_MAX_ALERTS: integerKey(1, 10_000, 1000, {
    feature: 'integrations',
    description:
      'Most alerts get_dependabot_alerts reads (pages of 100); beyond it the answer says `truncated: true`.',
  }),
  GITHUB_MAX_RESPONSE_BYTES: integerKey(64 * 1024, 256 * MIB, 8 * MIB, {
    unit: 'bytes',
    feature: 'integrations',
    description:
      'Most bytes read of one GitHub API answer (a page of alerts, an alert); a longer one is cut off and answered 502.',
  }),
  GITHUB_REPOSITORIES: optionalStringKey(4096, {
    feature: 'integrations',
    pattern: /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)*$/,
    patternText: 'a comma-separated list of owner/name',
    example: 'acme/api,acme/web',
    description:
      'Repositories whose Dependabot alerts update_dependabot_alert may change (owner/name, comma-separated); none by default.',
  }),

  // Keys of the original's env file that have no effect here; accepted so that file loads unchanged.
  FLASK_ENV: optionalStringKey(64, {
    feature: 'legacy',
    description: 'No effect (the original’s Flask mode).',
  }),
  DEBUG: optionalStringKey(64, { feature: 'legacy', description: 'No effect; use LOG_LEVEL=debug.' }),
  CUDA_VISIBLE_DEVICES: optionalStringKey(256, {
    feature: 'legacy',
    description: 'No effect: the kernels run on the CPU (see DEVICE).',
  }),
} as const;

export type ConfigKeyName = keyof typeof CONFIG_KEYS;

/** The validated value of every key, by its name. */
export type ConfigValues = { -readonly [K in ConfigKeyName]: ValueOf<(typeof CONFIG_KEYS)[K]> };

export const CONFIG_KEY_NAMES = Object.keys(CONFIG_KEYS) as ConfigKeyName[];

export function isConfigKeyName(name: string): name is ConfigKeyName {
  return Object.hasOwn(CONFIG_KEYS, name);
}
