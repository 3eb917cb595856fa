import { probeDirectory } from '../../config/directories.js';
import {
  CONFIG_KEYS,
  CONFIG_KEY_NAMES,
  isFeatureBuilt,
  redactUrlCredentials,
  type LoadedConfig,
} from '../../config/index.js';
import type { CheckResult } from './health-report.js';

/**
 * Keys set away from their defaults whose feature this build does not have yet: accepted, but said plainly,
 * so that nobody believes (for example) that AUTH_ENABLED=true protects anything before authentication exists.
 */
export function checkInactiveSettings(loaded: LoadedConfig): CheckResult {
  const inactive = CONFIG_KEY_NAMES.filter((name) => {
    const key = CONFIG_KEYS[name];
    return (
      loaded.origins[name].source !== 'default' &&
      key.feature !== 'legacy' &&
      !isFeatureBuilt(key.feature) &&
      loaded.values[name] !== key.defaultValue
    );
  });
  return inactive.length === 0
    ? { name: 'configuration', status: 'pass', detail: `valid (${describeFiles(loaded)})` }
    : {
        name: 'configuration',
        status: 'warn',
        detail: `valid, but not active in this version: ${inactive.join(', ')}`,
      };
}

function describeFiles(loaded: LoadedConfig): string {
  return loaded.files.length === 0 ? 'defaults and environment' : `files: ${loaded.files.join(', ')}`;
}

/**
 * A directory DREDGE writes to must exist or be creatable, and be writable. Decided by trying, without making it:
 * a temporary directory is made in it (or, when it does not exist yet, in its nearest existing parent) and removed
 * at once, since neither permission bits (which do not bind root) nor the parent's existence tell (/proc exists,
 * yet refuses new entries).
 */
export function checkWritableDirectory(name: string, dir: string): CheckResult {
  const { problem, exists } = probeDirectory(dir);
  if (problem !== undefined) return { name, status: 'fail', detail: `${dir} cannot be used: ${problem}` };
  return { name, status: 'pass', detail: exists ? dir : `${dir} (will be created)` };
}

/** Which configured services need Redis, in words; empty when none does. */
export function redisUsers(loaded: LoadedConfig): string[] {
  const { cache, storage } = loaded.config;
  return [
    ...(cache.enabled && cache.backend === 'redis' ? ['CACHE_BACKEND=redis'] : []),
    ...(storage.storeBackend === 'redis' ? ['STORE_BACKEND=redis'] : []),
    ...(storage.queueBackend === 'bullmq' ? ['QUEUE_BACKEND=bullmq'] : []),
  ];
}

export async function checkRedis(
  url: string,
  usedBy: readonly string[],
  timeoutMs = 2000,
): Promise<CheckResult> {
  const shownUrl = redactUrlCredentials(url);
  // Loaded only when a service needs Redis. The probe has its own limit, whatever REDIS_*_TIMEOUT say.
  const { PROBE, createRedisClient } = await import('../../services/redis/index.js');
  const client = createRedisClient({ url, connectTimeoutMs: timeoutMs, commandTimeoutMs: timeoutMs }, PROBE);
  try {
    await client.connect();
    const started = performance.now();
    await client.ping();
    const ms = (performance.now() - started).toFixed(1);
    return {
      name: 'redis',
      status: 'pass',
      detail: `${shownUrl} answered PING in ${ms} ms (for ${usedBy.join(', ')})`,
    };
  } catch (error) {
    const reason = redactUrlCredentials(error instanceof Error ? error.message : String(error));
    return {
      name: 'redis',
      status: 'fail',
      detail: `${shownUrl} unreachable: ${reason} (needed by ${usedBy.join(', ')})`,
    };
  } finally {
    client.disconnect();
  }
}

/**
 * STORE_BACKEND=postgres: DATABASE_URL answers a query within `timeoutMs`, and its schema step is said (0 for a
 * database DREDGE has not started on yet: the first start makes the schema).
 */
export async function checkPostgres(url: string | undefined, timeoutMs = 2000): Promise<CheckResult> {
  if (!url) {
    return {
      name: 'postgres',
      status: 'fail',
      detail: 'STORE_BACKEND=postgres needs DATABASE_URL (or DATABASE_URL_FILE)',
    };
  }
  const shownUrl = redactUrlCredentials(url);
  // Loaded only when the store is PostgreSQL; one connection, with the probe's own limits.
  const [{ createPostgresPool }, { schemaVersion }] = await Promise.all([
    import('../../services/store/postgres/pool.js'),
    import('../../services/store/postgres/migrations.js'),
  ]);
  const pool = createPostgresPool({
    url,
    poolSize: 1,
    statementTimeoutMs: timeoutMs,
    connectTimeoutMs: timeoutMs,
  });
  try {
    const started = performance.now();
    const version = await schemaVersion(pool);
    const ms = (performance.now() - started).toFixed(1);
    return {
      name: 'postgres',
      status: 'pass',
      detail: `${shownUrl} answered in ${ms} ms (schema step ${version}, for STORE_BACKEND=postgres)`,
    };
  } catch (error) {
    const reason = redactUrlCredentials(error instanceof Error ? error.message : String(error));
    return {
      name: 'postgres',
      status: 'fail',
      detail: `${shownUrl} unreachable: ${reason} (needed by STORE_BACKEND=postgres)`,
    };
  } finally {
    await pool.end().catch(() => undefined);
  }
}
