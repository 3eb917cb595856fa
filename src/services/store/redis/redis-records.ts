import type { Redis } from 'ioredis';
import type { InsightPage, InsightRecord, InsightStore, TaskResultStore } from '../records.js';

/** Insights a search reads per round trip. */
const SEARCH_CHUNK = 256;

export class RedisInsightStore implements InsightStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'dredge:store:',
  ) {}

  private key(id: string): string {
    return `${this.prefix}insight:${id}`;
  }

  private get index(): string {
    return `${this.prefix}insights`;
  }

  async save(id: string, text: string): Promise<{ record: InsightRecord; created: boolean }> {
    const createdAt = new Date().toISOString();
    // HSETNX on the text decides, atomically, which of two concurrent lifts of the same text is the first.
    const created = (await this.redis.hsetnx(this.key(id), 'text', text)) === 1;
    if (created) {
      await this.redis
        .multi()
        .hset(this.key(id), 'createdAt', createdAt)
        .zadd(this.index, Date.now(), id)
        .exec();
    }
    return { record: (await this.get(id)) ?? { id, text, createdAt }, created };
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
    const results = await this.redis.multi().del(this.key(id)).zrem(this.index, id).exec();
    return results?.[0]?.[1] === 1;
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
