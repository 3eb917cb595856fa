import { describe, expect, it } from 'vitest';
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

  it('uses REDIS_COMMAND_TIMEOUT on the request path, with floors for the queue and the store', () => {
    expect(redisOptions(redis, CACHE).commandTimeout).toBe(250);
    expect(redisOptions(redis, PROBE).commandTimeout).toBe(250);
    expect(redisOptions(redis, QUEUE).commandTimeout).toBe(QUEUE_COMMAND_TIMEOUT_MS);
    expect(redisOptions(redis, SUBSCRIBER).commandTimeout).toBe(QUEUE_COMMAND_TIMEOUT_MS);
    expect(redisOptions(redis, STORE).commandTimeout).toBe(STORE_COMMAND_TIMEOUT_MS);
    const patient = { ...redis, commandTimeoutMs: 20_000 };
    expect(redisOptions(patient, QUEUE).commandTimeout).toBe(20_000);
    expect(redisOptions(patient, STORE).commandTimeout).toBe(20_000);
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
