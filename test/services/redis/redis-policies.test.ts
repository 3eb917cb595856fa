import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import {
  BLOCKING,
  CACHE,
  PROBE,
  QUEUE,
  QUEUE_COMMAND_TIMEOUT_MS,
  REDIS_POLICIES,
  STORE,
  STORE_COMMAND_TIMEOUT_MS,
  SUBSCRIBER,
  redisOptions,
  type RedisConfig,
} from '../../../src/services/redis/redis-policies.js';

const redis: RedisConfig = { url: 'redis://127.0.0.1:6379/0', connectTimeoutMs: 1000, commandTimeoutMs: 250 };

describe('Redis client policies', () => {
  it('gives every client a command timeout except BullMQ blocking connections', () => {
    for (const policy of REDIS_POLICIES) {
      const { commandTimeout } = redisOptions(redis, policy);
      if (policy === BLOCKING) expect(commandTimeout, policy.name).toBeUndefined();
      else expect(commandTimeout, policy.name).toBeGreaterThan(0);
    }
  });

  it('keeps what BullMQ requires of a blocking connection: no per-request retry limit, waiting through outages', () => {
    expect(redisOptions(redis, BLOCKING)).toMatchObject({
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
    });
  });

  it('uses REDIS_COMMAND_TIMEOUT for the cache and the probe, and the queue and store their own keys', () => {
    expect(redisOptions(redis, CACHE).commandTimeout).toBe(250);
    expect(redisOptions(redis, PROBE).commandTimeout).toBe(250);
    expect(redisOptions(redis, QUEUE).commandTimeout).toBe(QUEUE_COMMAND_TIMEOUT_MS);
    expect(redisOptions(redis, SUBSCRIBER).commandTimeout).toBe(QUEUE_COMMAND_TIMEOUT_MS);
    expect(redisOptions(redis, STORE).commandTimeout).toBe(STORE_COMMAND_TIMEOUT_MS);
    expect([QUEUE_COMMAND_TIMEOUT_MS, STORE_COMMAND_TIMEOUT_MS]).toEqual([5_000, 10_000]);
    const configured = { ...redis, queueCommandTimeoutMs: 700, storeCommandTimeoutMs: 1_200 };
    expect(redisOptions(configured, QUEUE).commandTimeout).toBe(700);
    expect(redisOptions(configured, SUBSCRIBER).commandTimeout).toBe(700);
    expect(redisOptions(configured, STORE).commandTimeout).toBe(1_200);
    expect(redisOptions(configured, CACHE).commandTimeout).toBe(250);
  });

  it('reads REDIS_STORE_TIMEOUT and REDIS_QUEUE_TIMEOUT from the configuration (10 s and 5 s unless set)', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'dredge-redis-policies-'));
    const defaults = loadConfig({ cwd, homeDir: cwd, env: {} }).config.redis;
    expect(redisOptions(defaults, STORE).commandTimeout).toBe(10_000);
    expect(redisOptions(defaults, QUEUE).commandTimeout).toBe(5_000);
    expect(redisOptions(defaults, CACHE).commandTimeout).toBe(250);
    const env = { REDIS_STORE_TIMEOUT: '1.5', REDIS_QUEUE_TIMEOUT: '0.75' };
    const configured = loadConfig({ cwd, homeDir: cwd, env }).config.redis;
    expect(redisOptions(configured, STORE).commandTimeout).toBe(1_500);
    expect(redisOptions(configured, QUEUE).commandTimeout).toBe(750);
  });

  it('connects within REDIS_CONNECT_TIMEOUT and names the connection only when asked', () => {
    for (const policy of REDIS_POLICIES) {
      expect(redisOptions(redis, policy).connectTimeout, policy.name).toBe(1000);
      expect(redisOptions(redis, policy), policy.name).not.toHaveProperty('connectionName');
    }
    expect(redisOptions(redis, QUEUE, 'dredge-tasks').connectionName).toBe('dredge-tasks');
  });

  it('fails fast for the cache and the probe: no offline queue, no retry', () => {
    for (const policy of [CACHE, PROBE]) {
      expect(redisOptions(redis, policy), policy.name).toMatchObject({
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
      });
    }
  });

  it('reconnects for ever with a capped backoff, except the probe, which tries once', () => {
    for (const policy of REDIS_POLICIES.filter((p) => p !== PROBE)) {
      const delays = [1, 2, 10, 1000].map((attempt) => policy.reconnectDelayMs(attempt));
      expect(
        delays.every((delay) => typeof delay === 'number' && delay > 0 && delay <= 2000),
        policy.name,
      ).toBe(true);
    }
    expect(PROBE.reconnectDelayMs(1)).toBeNull();
    expect(redisOptions(redis, PROBE).lazyConnect).toBe(true);
  });
});
