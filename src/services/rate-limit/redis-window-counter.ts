import type { Redis } from 'ioredis';
import type { WindowCount, WindowCounter } from './window-counter.js';

/** Adds to the key's count; the first hit of a window sets its expiry. Answers the count and the time left. */
const HIT = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
return {total, ttl}
`;

type HitCommand = (key: string, amount: number, windowMs: number) => Promise<[number, number]>;

/**
 * Counters in Redis, shared by every replica on it, so a limit holds for a key whatever replica it reaches: one
 * script call per hit (INCRBY, PTTL, and PEXPIRE when the window is new), sent as EVALSHA by ioredis's
 * `defineCommand`, so the script's text crosses the network once. When Redis does not answer, the hit rejects and
 * the caller decides (the rate limits let the request through: see RateLimits).
 */
export class RedisWindowCounter implements WindowCounter {
  readonly #hit: HitCommand;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'dredge:rate:',
  ) {
    redis.defineCommand('dredgeRateHit', { numberOfKeys: 1, lua: HIT });
    const commands = redis as unknown as { dredgeRateHit: HitCommand };
    this.#hit = commands.dredgeRateHit.bind(redis);
  }

  async hit(key: string, amount: number, windowMs: number): Promise<WindowCount> {
    const [total, resetMs] = await this.#hit(this.prefix + key, amount, windowMs);
    return { total, resetMs };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
