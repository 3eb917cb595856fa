import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type DredgeConfig } from '../../../src/config/index.js';
import type { RedisConfig } from '../../../src/services/redis/index.js';
import {
  cacheKey,
  type CacheConfig,
  type CacheSettings,
  type CacheResult,
  type Compute,
  type GetOrComputeOptions,
  type JsonInput,
  type ModelRef,
  type ResultCache,
} from '../../../src/services/cache/index.js';
import { createLogger, type Logger } from '../../../src/services/telemetry/logger.js';

/** A pino log record as the tests read it back. */
export interface LogRecord {
  readonly level: number;
  readonly msg: string;
  readonly component?: string;
  readonly [field: string]: unknown;
}

export const WARN = 40;
export const INFO = 30;

/** A real pino logger (same redaction, same levels) that keeps its records in an array. */
export function recordingLogger(level: 'debug' | 'info' | 'warn' = 'debug'): {
  readonly logger: Logger;
  readonly records: LogRecord[];
  readonly warnings: () => LogRecord[];
} {
  const records: LogRecord[] = [];
  const logger = createLogger({
    level,
    destination: { write: (line: string) => void records.push(JSON.parse(line) as LogRecord) },
  });
  return { logger, records, warnings: () => records.filter((record) => record.level === WARN) };
}

export const silentLogger: Logger = createLogger({ level: 'silent' });

/** The configuration of no file and no environment: the keys' defaults, the one source of the settings below. */
const DEFAULTS: DredgeConfig = (() => {
  const empty = mkdtempSync(join(tmpdir(), 'dredge-cache-defaults-'));
  try {
    return loadConfig({ cwd: empty, homeDir: empty, env: {} }).config;
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
})();

/** The cache's part of a configuration: the defaults, with test-sized bounds. */
export function cacheConfig(
  cache: Partial<CacheSettings> = {},
  extra: { redisUrl?: string; redis?: Partial<RedisConfig>; requestTimeoutMs?: number } = {},
): CacheConfig {
  return {
    ...DEFAULTS.cache,
    enabled: true,
    backend: 'memory',
    ttlSeconds: 3600,
    maxEntries: 10_000,
    maxBytes: 64 * 1024 ** 2,
    fileDir: join(tmpdir(), 'dredge-cache-unused'),
    ...cache,
    redis: { ...DEFAULTS.redis, url: extra.redisUrl ?? 'redis://127.0.0.1:1/0', ...extra.redis },
    requestTimeoutMs: extra.requestTimeoutMs ?? 30_000,
  };
}

/** A fresh directory under the system temp directory, and its removal. */
export async function tempDir(
  prefix = 'dredge-cache-',
): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `condition` holds, or fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** One lookup as a cached operation makes it: the key of its kind, input, tenant and model, then `getOrCompute`. */
export function lookup<T>(
  cache: ResultCache,
  kind: string,
  input: JsonInput,
  tenant: string,
  compute: Compute<T>,
  options?: GetOrComputeOptions,
  model?: ModelRef,
): Promise<CacheResult<T>> {
  return cache.getOrCompute(cacheKey(kind, input, tenant, model), compute, options);
}
