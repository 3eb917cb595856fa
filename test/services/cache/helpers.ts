import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CacheConfig } from '../../../src/services/cache/index.js';
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

/** The cache's part of a configuration, with test-sized defaults. */
export function cacheConfig(
  cache: Partial<CacheConfig['cache']> = {},
  extra: { redisUrl?: string; requestTimeoutMs?: number } = {},
): CacheConfig {
  return {
    cache: {
      enabled: true,
      backend: 'memory',
      ttlSeconds: 3600,
      maxEntries: 10_000,
      maxBytes: 64 * 1024 ** 2,
      fileDir: join(tmpdir(), 'dredge-cache-unused'),
      ...cache,
    },
    redis: { url: extra.redisUrl ?? 'redis://127.0.0.1:1/0' },
    servers: { requestTimeoutMs: extra.requestTimeoutMs ?? 30_000 },
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
