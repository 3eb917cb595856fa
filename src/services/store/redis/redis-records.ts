import type { Redis } from 'ioredis';
import { insightBytesFull, insightStoreFull, type InsightLimits } from '../insight-limits.js';
import type { InsightPage, InsightQuery, InsightRecord, InsightStore, TaskResultStore } from '../records.js';
import { DEFAULT_TENANT, tenantInsightsFull, type TenantQuotas } from '../tenancy.js';

/** Insights a search reads per round trip. */
const SEARCH_CHUNK = 256;

/** What SAVE answers. */
const KEPT_ALREADY = 0;
const STORED = 1;
const FULL = 2;
const BYTES_FULL = 3;
const NOT_COUNTED = 4;
const TENANT_FULL = 5;

/**
 * Stores a new insight unless its id is kept already in its tenant, within the limits, in one step. Answers
 * {KEPT_ALREADY}, {STORED}, {FULL} (MAX_INSIGHTS), {BYTES_FULL, bytes kept} (MAX_INSIGHT_BYTES), {TENANT_FULL}
 * (TENANT_MAX_INSIGHTS, when ARGV[7] is not -1), or {NOT_COUNTED, which} when a byte total does not exist yet (a
 * store written before it): 0 the tenant's, 1 the default tenant's, from which the totals of every tenant start
 * (before tenancy every insight was the default tenant's). KEYS: the insight, the tenant's index and byte total,
 * the count and bytes of every tenant's insights, the default tenant's index and byte total. ARGV: text,
 * createdAt, score, id, maxInsights, maxBytes, the tenant's most insights. string.len counts bytes, as
 * MAX_INSIGHT_BYTES does.
 */
const SAVE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {${KEPT_ALREADY}} end
if not redis.call('GET', KEYS[3]) then return {${NOT_COUNTED}, 0} end
if redis.call('EXISTS', KEYS[4]) == 0 then
  local bytes = redis.call('GET', KEYS[7])
  if not bytes then return {${NOT_COUNTED}, 1} end
  redis.call('SET', KEYS[4], redis.call('ZCARD', KEYS[6]))
  redis.call('SET', KEYS[5], bytes)
end
if tonumber(redis.call('GET', KEYS[4])) >= tonumber(ARGV[5]) then return {${FULL}} end
local total = tonumber(redis.call('GET', KEYS[5]) or '0')
local size = string.len(ARGV[1])
if total + size > tonumber(ARGV[6]) then return {${BYTES_FULL}, total} end
if tonumber(ARGV[7]) >= 0 and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[7]) then return {${TENANT_FULL}} end
redis.call('HSET', KEYS[1], 'text', ARGV[1], 'createdAt', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('INCRBY', KEYS[3], size)
redis.call('INCR', KEYS[4])
redis.call('INCRBY', KEYS[5], size)
return {${STORED}}`;

/** Deletes an insight and takes it off the totals (those that exist), in one step. KEYS as SAVE's first five. */
const DELETE = `
local size = redis.call('HSTRLEN', KEYS[1], 'text')
local removed = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if removed == 1 then
  if redis.call('EXISTS', KEYS[3]) == 1 and redis.call('DECRBY', KEYS[3], size) < 0 then redis.call('SET', KEYS[3], 0) end
  if redis.call('EXISTS', KEYS[4]) == 1 then
    if redis.call('DECR', KEYS[4]) < 0 then redis.call('SET', KEYS[4], 0) end
    if redis.call('DECRBY', KEYS[5], size) < 0 then redis.call('SET', KEYS[5], 0) end
  end
end
return removed`;

/**
 * The key prefix of a tenant's objects: the store's own for the default tenant (keys written before tenancy are
 * its, so nothing moves), `<prefix>tenant:<tenant>:` for any other (URI-encoded, so no tenant's name can reach
 * into another's keys). Replicas sharing Redis derive the same names, so they agree on every tenant's objects.
 */
export function tenantPrefix(prefix: string, tenant: string): string {
  return tenant === DEFAULT_TENANT ? prefix : `${prefix}tenant:${encodeURIComponent(tenant)}:`;
}

/**
 * Insights in Redis, per tenant (see tenantPrefix): a hash per insight, an index sorted by creation (its ZCARD is
 * the tenant's count, which TENANT_MAX_INSIGHTS bounds), and a running total of their texts' bytes; beside them
 * the count and bytes of every tenant's insights, which MAX_INSIGHTS and MAX_INSIGHT_BYTES bound. A store written
 * before a total existed has it counted once, in chunks, on the first new insight.
 */
export class RedisInsightStore implements InsightStore {
  constructor(
    private readonly redis: Redis,
    private readonly limits: InsightLimits,
    private readonly prefix = 'dredge:store:',
    private readonly quotas?: TenantQuotas,
  ) {}

  private keys(tenant: string) {
    const base = tenantPrefix(this.prefix, tenant);
    return {
      insight: (id: string) => `${base}insight:${id}`,
      index: `${base}insights`,
      bytes: `${base}insights:bytes`,
    };
  }

  private get allCount(): string {
    return `${this.prefix}all:insights`;
  }

  private get allBytes(): string {
    return `${this.prefix}all:insight-bytes`;
  }

  async save(
    id: string,
    text: string,
    tenant: string = DEFAULT_TENANT,
  ): Promise<{ record: InsightRecord; created: boolean }> {
    const createdAt = new Date().toISOString();
    const { maxInsights, maxBytes } = this.limits;
    const keys = this.keys(tenant);
    const fallback = this.keys(DEFAULT_TENANT);
    for (;;) {
      // One script decides, atomically, which of two concurrent lifts of the same text is the first, and whether
      // a new one fits.
      const [answer, detail] = (await this.redis.eval(
        SAVE,
        7,
        keys.insight(id),
        keys.index,
        keys.bytes,
        this.allCount,
        this.allBytes,
        fallback.index,
        fallback.bytes,
        text,
        createdAt,
        String(Date.now()),
        id,
        String(maxInsights),
        String(maxBytes),
        String(this.quotas?.maxInsights ?? -1),
      )) as [number, number?];
      if (answer === NOT_COUNTED) {
        await this.countBytes(detail === 1 ? DEFAULT_TENANT : tenant);
        continue;
      }
      if (answer === FULL) throw insightStoreFull(this.limits);
      if (answer === BYTES_FULL) throw insightBytesFull(this.limits, detail ?? 0, Buffer.byteLength(text));
      if (answer === TENANT_FULL && this.quotas) throw tenantInsightsFull(this.quotas);
      const created = answer === STORED;
      return { record: (await this.get(id, tenant)) ?? { id, text, createdAt }, created };
    }
  }

  /** Counts the bytes of a tenant's insights, a chunk at a time, and sets its total unless another process has. */
  private async countBytes(tenant: string): Promise<void> {
    const keys = this.keys(tenant);
    let bytes = 0;
    for (let start = 0; ; start += SEARCH_CHUNK) {
      const ids = await this.redis.zrange(keys.index, start, start + SEARCH_CHUNK - 1);
      if (ids.length > 0) {
        const pipeline = this.redis.pipeline();
        for (const id of ids) pipeline.hstrlen(keys.insight(id), 'text');
        for (const [error, size] of (await pipeline.exec()) ?? []) {
          if (error) throw error;
          bytes += Number(size);
        }
      }
      if (ids.length < SEARCH_CHUNK) break;
    }
    await this.redis.set(keys.bytes, String(bytes), 'NX');
  }

  async get(id: string, tenant: string = DEFAULT_TENANT): Promise<InsightRecord | undefined> {
    const [text, createdAt] = await this.redis.hmget(this.keys(tenant).insight(id), 'text', 'createdAt');
    return text ? { id, text, createdAt: createdAt ?? '' } : undefined;
  }

  /**
   * A page of the tenant's, newest first. Without a search it reads only the page; a search reads the insights in
   * chunks (so a request holds at most one chunk of texts, however many insights there are) and keeps only the
   * page's.
   */
  async list({ offset, limit, search, tenant = DEFAULT_TENANT }: InsightQuery): Promise<InsightPage> {
    const { index } = this.keys(tenant);
    if (!search) {
      const [total, ids] = await Promise.all([
        this.redis.zcard(index),
        limit > 0 ? this.redis.zrevrange(index, offset, offset + limit - 1) : Promise.resolve([]),
      ]);
      return { items: await this.records(tenant, ids), total };
    }
    const needle = search.toLowerCase();
    const items: InsightRecord[] = [];
    let total = 0;
    for (let start = 0; ; start += SEARCH_CHUNK) {
      const ids = await this.redis.zrevrange(index, start, start + SEARCH_CHUNK - 1);
      for (const record of await this.records(tenant, ids)) {
        if (!record.text.toLowerCase().includes(needle)) continue;
        if (total >= offset && items.length < limit) items.push(record);
        total += 1;
      }
      if (ids.length < SEARCH_CHUNK) return { items, total };
    }
  }

  /** The tenant's insights of `ids`, in that order, read in one round trip; ids deleted meanwhile are left out. */
  private async records(tenant: string, ids: readonly string[]): Promise<InsightRecord[]> {
    if (ids.length === 0) return [];
    const keys = this.keys(tenant);
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(keys.insight(id), 'text', 'createdAt');
    const replies = (await pipeline.exec()) ?? [];
    const records: InsightRecord[] = [];
    ids.forEach((id, i) => {
      const [error, fields] = replies[i] ?? [null, null];
      if (error) throw error;
      const [text, createdAt] = (fields ?? []) as (string | null)[];
      if (text) records.push({ id, text, createdAt: createdAt ?? '' });
    });
    return records;
  }

  async delete(id: string, tenant: string = DEFAULT_TENANT): Promise<boolean> {
    const keys = this.keys(tenant);
    const removed = await this.redis.eval(
      DELETE,
      5,
      keys.insight(id),
      keys.index,
      keys.bytes,
      this.allCount,
      this.allBytes,
      id,
    );
    return removed === 1;
  }
}

/** A task's result and tenant, in one round trip: a result stored before tenancy is a plain string, no tenant. */
const READ_RESULT = `
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'string' then return {redis.call('GET', KEYS[1]), ''} end
if kind == 'hash' then return redis.call('HMGET', KEYS[1], 'result', 'tenant') end
return {}`;

/**
 * Task results in Redis, under their task's id (a random UUID) with its tenant in a field beside the result (a
 * result written before tenancy has none: the default tenant's). A result lives in one hash, so its tenant and
 * its text expire together.
 */
export class RedisTaskResultStore implements TaskResultStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'dredge:store:',
  ) {}

  async put(id: string, result: string, ttlMs: number, tenant: string = DEFAULT_TENANT): Promise<void> {
    const key = `${this.prefix}task:${id}`;
    await this.redis
      .multi()
      .del(key)
      .hset(key, 'result', result, 'tenant', tenant)
      .pexpire(key, Math.max(1, Math.round(ttlMs)))
      .exec();
  }

  async get(id: string, tenant?: string): Promise<string | undefined> {
    const [result, owner] = (await this.redis.eval(READ_RESULT, 1, `${this.prefix}task:${id}`)) as [
      string?,
      string?,
    ];
    if (typeof result !== 'string') return undefined;
    return tenant === undefined || (owner || DEFAULT_TENANT) === tenant ? result : undefined;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.redis.del(`${this.prefix}task:${id}`)) === 1;
  }
}
