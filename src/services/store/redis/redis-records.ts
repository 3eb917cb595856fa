import type { Redis } from 'ioredis';
import { insightBytesFull, insightStoreFull, type InsightLimits } from '../insight-limits.js';
import type { InsightPage, InsightRecord, InsightStore, TaskResultStore } from '../records.js';

/** Insights a search reads per round trip. */
const SEARCH_CHUNK = 256;

/** What SAVE answers. */
const KEPT_ALREADY = 0;
const STORED = 1;
const FULL = 2;
const BYTES_FULL = 3;
const NOT_COUNTED = 4;

/**
 * Stores a new insight unless its id is kept already, within the limits, in one step. Answers {KEPT_ALREADY},
 * {STORED}, {FULL} (MAX_INSIGHTS), {BYTES_FULL, bytes kept} (MAX_INSIGHT_BYTES), or {NOT_COUNTED} when the byte
 * total does not exist yet (a store written before it). KEYS: the insight, the index, the byte total. ARGV: text,
 * createdAt, score, id, maxInsights, maxBytes. string.len counts bytes, as MAX_INSIGHT_BYTES does.
 */
const SAVE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {${KEPT_ALREADY}} end
local total = redis.call('GET', KEYS[3])
if not total then return {${NOT_COUNTED}} end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return {${FULL}} end
local size = string.len(ARGV[1])
if tonumber(total) + size > tonumber(ARGV[6]) then return {${BYTES_FULL}, tonumber(total)} end
redis.call('HSET', KEYS[1], 'text', ARGV[1], 'createdAt', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('INCRBY', KEYS[3], size)
return {${STORED}}`;

/** Deletes an insight and takes its bytes off the total (when counted), in one step. KEYS as SAVE's. */
const DELETE = `
local size = redis.call('HSTRLEN', KEYS[1], 'text')
local removed = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if removed == 1 and redis.call('EXISTS', KEYS[3]) == 1 then
  if redis.call('DECRBY', KEYS[3], size) < 0 then redis.call('SET', KEYS[3], 0) end
end
return removed`;

/**
 * Insights in Redis: a hash per insight, an index sorted by creation (its ZCARD is the count), and a running total
 * of their texts' bytes. A store written before the total existed has it counted once, in chunks, on the first
 * new insight.
 */
export class RedisInsightStore implements InsightStore {
  constructor(
    private readonly redis: Redis,
    private readonly limits: InsightLimits,
    private readonly prefix = 'dredge:store:',
  ) {}

  private key(id: string): string {
    return `${this.prefix}insight:${id}`;
  }

  private get index(): string {
    return `${this.prefix}insights`;
  }

  private get byteTotal(): string {
    return `${this.prefix}insights:bytes`;
  }

  async save(id: string, text: string): Promise<{ record: InsightRecord; created: boolean }> {
    const createdAt = new Date().toISOString();
    const { maxInsights, maxBytes } = this.limits;
    for (;;) {
      // One script decides, atomically, which of two concurrent lifts of the same text is the first, and whether
      // a new one fits.
      const [answer, bytes] = (await this.redis.eval(
        SAVE,
        3,
        this.key(id),
        this.index,
        this.byteTotal,
        text,
        createdAt,
        String(Date.now()),
        id,
        String(maxInsights),
        String(maxBytes),
      )) as [number, number?];
      if (answer === NOT_COUNTED) {
        await this.countBytes();
        continue;
      }
      if (answer === FULL) throw insightStoreFull(this.limits);
      if (answer === BYTES_FULL) throw insightBytesFull(this.limits, bytes ?? 0, Buffer.byteLength(text));
      const created = answer === STORED;
      return { record: (await this.get(id)) ?? { id, text, createdAt }, created };
    }
  }

  /** Counts the bytes of the insights kept, a chunk at a time, and sets the total unless another process has. */
  private async countBytes(): Promise<void> {
    let bytes = 0;
    for (let start = 0; ; start += SEARCH_CHUNK) {
      const ids = await this.redis.zrange(this.index, start, start + SEARCH_CHUNK - 1);
      if (ids.length > 0) {
        const pipeline = this.redis.pipeline();
        for (const id of ids) pipeline.hstrlen(this.key(id), 'text');
        for (const [error, size] of (await pipeline.exec()) ?? []) {
          if (error) throw error;
          bytes += Number(size);
        }
      }
      if (ids.length < SEARCH_CHUNK) break;
    }
    await this.redis.set(this.byteTotal, String(bytes), 'NX');
  }

  async get(id: string): Promise<InsightRecord | undefined> {
    const [text, createdAt] = await this.redis.hmget(this.key(id), 'text', 'createdAt');
    return text ? { id, text, createdAt: createdAt ?? '' } : undefined;
  }

  /**
   * A page, newest first. Without a search it reads only the page; a search reads the insights in chunks (so a
   * request holds at most one chunk of texts, however many insights there are) and keeps only the page's.
   */
  async list({
    offset,
    limit,
    search,
  }: {
    offset: number;
    limit: number;
    search?: string;
  }): Promise<InsightPage> {
    if (!search) {
      const [total, ids] = await Promise.all([
        this.redis.zcard(this.index),
        limit > 0 ? this.redis.zrevrange(this.index, offset, offset + limit - 1) : Promise.resolve([]),
      ]);
      return { items: await this.records(ids), total };
    }
    const needle = search.toLowerCase();
    const items: InsightRecord[] = [];
    let total = 0;
    for (let start = 0; ; start += SEARCH_CHUNK) {
      const ids = await this.redis.zrevrange(this.index, start, start + SEARCH_CHUNK - 1);
      for (const record of await this.records(ids)) {
        if (!record.text.toLowerCase().includes(needle)) continue;
        if (total >= offset && items.length < limit) items.push(record);
        total += 1;
      }
      if (ids.length < SEARCH_CHUNK) return { items, total };
    }
  }

  /** The insights of `ids`, in that order, read in one round trip; ids deleted meanwhile are left out. */
  private async records(ids: readonly string[]): Promise<InsightRecord[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(this.key(id), 'text', 'createdAt');
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

  async delete(id: string): Promise<boolean> {
    return (await this.redis.eval(DELETE, 3, this.key(id), this.index, this.byteTotal, id)) === 1;
  }
}

export class RedisTaskResultStore implements TaskResultStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'dredge:store:',
  ) {}

  async put(id: string, result: string, ttlMs: number): Promise<void> {
    await this.redis.set(`${this.prefix}task:${id}`, result, 'PX', Math.max(1, Math.round(ttlMs)));
  }

  async get(id: string): Promise<string | undefined> {
    return (await this.redis.get(`${this.prefix}task:${id}`)) ?? undefined;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.redis.del(`${this.prefix}task:${id}`)) === 1;
  }
}
