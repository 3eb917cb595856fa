import type { Redis } from 'ioredis';
import type { InsightPage, InsightRecord, InsightStore, TaskResultStore } from '../records.js';

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

  async list({
    offset,
    limit,
    search,
  }: {
    offset: number;
    limit: number;
    search?: string;
  }): Promise<InsightPage> {
    const ids = await this.redis.zrevrange(this.index, 0, -1);
    const records = (await Promise.all(ids.map((id) => this.get(id)))).filter(
      (r): r is InsightRecord => r !== undefined,
    );
    const needle = search?.toLowerCase();
    const matching = needle
      ? records.filter((record) => record.text.toLowerCase().includes(needle))
      : records;
    return { items: matching.slice(offset, offset + limit), total: matching.length };
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
