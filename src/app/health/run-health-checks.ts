import { ConfigError, loadConfig, type LoadConfigOptions } from '../../config/index.js';
import { PRODUCT } from '../product.js';
import {
  checkInactiveSettings,
  checkPostgres,
  checkRedis,
  checkWritableDirectory,
  redisUsers,
} from './checks.js';
import { checkRuntime } from './runtime-check.js';
import { summarise, type CheckResult, type HealthReport } from './health-report.js';

/**
 * Runtime, configuration, and every dependency the configuration names. A configuration that does not
 * load is itself a failed check here, so that `dredge health` can say so instead of stopping.
 */
export async function runHealthChecks(options: LoadConfigOptions): Promise<HealthReport> {
  const checks: CheckResult[] = [checkRuntime()];
  let loaded;
  try {
    loaded = loadConfig(options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    checks.push({ name: 'configuration', status: 'fail', detail: error.message });
    return summarise(PRODUCT.version, checks);
  }
  checks.push(checkInactiveSettings(loaded));
  checks.push(checkWritableDirectory('data directory', loaded.config.storage.dataDir));
  if (loaded.config.cache.enabled && loaded.config.cache.backend === 'file') {
    checks.push(checkWritableDirectory('file cache', loaded.config.cache.fileDir));
  }
  const users = redisUsers(loaded);
  if (users.length > 0) checks.push(await checkRedis(loaded.config.redis.url, users));
  const { storage } = loaded.config;
  if (storage.storeBackend === 'postgres') checks.push(await checkPostgres(storage.database.url));
  return summarise(PRODUCT.version, checks);
}
