import type { RedisOptions } from 'ioredis';
import type { DredgeConfig } from '../../config/index.js';
import { CONFIG_KEYS } from '../../config/keys.js';

type RedisSettings = DredgeConfig['redis'];

/**
 * Where Redis is and how long to wait for it: REDIS_URL (or its parts), REDIS_CONNECT_TIMEOUT,
 * REDIS_COMMAND_TIMEOUT, and the store's and queue's own command timeouts (REDIS_STORE_TIMEOUT,
 * REDIS_QUEUE_TIMEOUT), which default to their keys' defaults where a caller names only the first three.
 */
export type RedisConfig = Pick<RedisSettings, 'url' | 'connectTimeoutMs' | 'commandTimeoutMs'> &
  Partial<Pick<RedisSettings, 'storeCommandTimeoutMs' | 'queueCommandTimeoutMs'>>;

/**
 * How one kind of client behaves when Redis is slow or away. Every client connects within REDIS_CONNECT_TIMEOUT;
 * the policy decides the rest. A command issued while disconnected either fails at once (no offline queue) or
 * waits in ioredis's offline queue, and that wait is bounded twice: by the command timeout, which runs from the
 * moment the command is issued, and by `maxRetriesPerRequest` reconnection attempts.
 */
export interface RedisPolicy {
  readonly name: string;
  /**
   * The longest one command may take (ms), read from the configuration's timeouts. Undefined only where commands
   * block by design (BullMQ's BZPOPMIN and XREAD BLOCK), since ioredis would time those out too.
   */
  readonly commandTimeoutMs: ((redis: RedisConfig) => number) | undefined;
  /** Whether a command issued while disconnected waits for the connection (true) or fails at once (false). */
  readonly offlineQueue: boolean;
  /** Reconnection attempts a waiting command sits through before it fails; null: as many as it takes. */
  readonly maxRetriesPerRequest: number | null;
  /** Whether commands in flight when the connection dropped are sent again once it is back. */
  readonly resendAfterReconnect: boolean;
  /** The pause before reconnection attempt `attempt` (1, 2, …), in ms; null stops reconnecting. */
  readonly reconnectDelayMs: (attempt: number) => number | null;
  /** Connect on `connect()` or the first command rather than at once. */
  readonly lazyConnect: boolean;
}

/**
 * A queue command's timeout unless REDIS_QUEUE_TIMEOUT says otherwise: the cache's quarter-second would refuse
 * tasks whenever a busy queue answers slowly, and a request should not wait longer than this either.
 */
export const QUEUE_COMMAND_TIMEOUT_MS = CONFIG_KEYS.REDIS_QUEUE_TIMEOUT.defaultValue * 1000;

/**
 * A store command's timeout unless REDIS_STORE_TIMEOUT says otherwise: a model's parameters can be tens of
 * megabytes in one HSET or HGETALL.
 */
export const STORE_COMMAND_TIMEOUT_MS = CONFIG_KEYS.REDIS_STORE_TIMEOUT.defaultValue * 1000;

/** REDIS_COMMAND_TIMEOUT: the cache's (capped by the cache at a quarter of REQUEST_TIMEOUT) and the probe's. */
const configured = (redis: RedisConfig): number => redis.commandTimeoutMs;
const storeTimeout = (redis: RedisConfig): number => redis.storeCommandTimeoutMs ?? STORE_COMMAND_TIMEOUT_MS;
const queueTimeout = (redis: RedisConfig): number => redis.queueCommandTimeoutMs ?? QUEUE_COMMAND_TIMEOUT_MS;
/** A pause that grows by `stepMs` an attempt, up to `capMs`: reconnecting never stops, so recovery is automatic. */
const backoff =
  (stepMs: number, capMs: number) =>
  (attempt: number): number =>
    Math.min(stepMs * attempt, capMs);

/**
 * The result cache (CACHE_BACKEND=redis): fail fast, since a miss costs less than a wait. No offline queue and no
 * retries, so a command to a Redis that is away fails at once; the configured command timeout (which the cache
 * caps at a quarter of REQUEST_TIMEOUT) bounds a Redis that hangs. `GuardedBackend` turns the failures into misses.
 */
export const CACHE: RedisPolicy = {
  name: 'cache',
  commandTimeoutMs: configured,
  offlineQueue: false,
  maxRetriesPerRequest: 0,
  resendAfterReconnect: false,
  reconnectDelayMs: backoff(50, 1_000),
  lazyConnect: false,
};

/**
 * The model, insight and task-result store (STORE_BACKEND=redis): a command waits through a short outage (two
 * reconnections) and then fails, which the store answers as 503; a Redis that hangs fails it after
 * REDIS_STORE_TIMEOUT (10 s). The connection stays open, so a Redis that continues answers the next command.
 */
export const STORE: RedisPolicy = {
  name: 'store',
  commandTimeoutMs: storeTimeout,
  offlineQueue: true,
  maxRetriesPerRequest: 2,
  resendAfterReconnect: true,
  reconnectDelayMs: backoff(50, 2_000),
  lazyConnect: false,
};

/**
 * The task queue's ordinary commands (QUEUE_BACKEND=bullmq): the server's BullMQ Queue (submit, get, cancel,
 * stats, the cancel message) and a worker's heartbeats and totals. A command fails after one reconnection when
 * Redis is gone, and after REDIS_QUEUE_TIMEOUT (5 s) when it hangs, so a request answers 503 instead of hanging.
 */
export const QUEUE: RedisPolicy = {
  name: 'queue',
  commandTimeoutMs: queueTimeout,
  offlineQueue: true,
  maxRetriesPerRequest: 1,
  resendAfterReconnect: true,
  reconnectDelayMs: backoff(50, 2_000),
  lazyConnect: false,
};

/**
 * BullMQ's blocking connections: a worker's (BZPOPMIN, on the duplicate BullMQ makes of it) and the queue events
 * a server follows to wake its waiters (XREAD BLOCK). BullMQ requires `maxRetriesPerRequest: null` there, and a
 * command timeout would cut every blocking wait short, so these alone have none: their commands wait through
 * an outage, and a quick, capped reconnect finds a restarted Redis within a second or two.
 */
export const BLOCKING: RedisPolicy = {
  name: 'blocking',
  commandTimeoutMs: undefined,
  offlineQueue: true,
  maxRetriesPerRequest: null,
  resendAfterReconnect: true,
  reconnectDelayMs: backoff(100, 1_000),
  lazyConnect: false,
};

/**
 * A worker's subscription to the cancel channel: messages arrive without a command, and ioredis subscribes again
 * after each reconnect (quick and capped, as for the blocking connections). Its own commands (SUBSCRIBE, QUIT)
 * wait through an outage, but no longer than the queue's timeout.
 */
export const SUBSCRIBER: RedisPolicy = {
  name: 'subscriber',
  commandTimeoutMs: queueTimeout,
  offlineQueue: true,
  maxRetriesPerRequest: null,
  resendAfterReconnect: true,
  reconnectDelayMs: backoff(100, 1_000),
  lazyConnect: false,
};

/**
 * `dredge health`'s reachability check: one try, connecting only when asked, no queue, no retry, no reconnect, so
 * the answer comes within the timeout either way.
 */
export const PROBE: RedisPolicy = {
  name: 'probe',
  commandTimeoutMs: configured,
  offlineQueue: false,
  maxRetriesPerRequest: 0,
  resendAfterReconnect: false,
  reconnectDelayMs: () => null,
  lazyConnect: true,
};

export const REDIS_POLICIES: readonly RedisPolicy[] = [CACHE, STORE, QUEUE, BLOCKING, SUBSCRIBER, PROBE];

/** The ioredis options of a client following `policy` on `redis`; `connectionName` is what CLIENT LIST shows. */
export function redisOptions(redis: RedisConfig, policy: RedisPolicy, connectionName?: string): RedisOptions {
  const commandTimeout = policy.commandTimeoutMs?.(redis);
  return {
    ...(connectionName === undefined ? {} : { connectionName }),
    connectTimeout: redis.connectTimeoutMs,
    ...(commandTimeout === undefined ? {} : { commandTimeout }),
    enableOfflineQueue: policy.offlineQueue,
    maxRetriesPerRequest: policy.maxRetriesPerRequest,
    autoResendUnfulfilledCommands: policy.resendAfterReconnect,
    retryStrategy: policy.reconnectDelayMs,
    lazyConnect: policy.lazyConnect,
  };
}
