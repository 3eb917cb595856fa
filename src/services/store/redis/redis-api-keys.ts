import type { Redis } from 'ioredis';
import { apiKeyStoreFull, MAX_API_KEYS, type ApiKeyRecord, type ApiKeyStore } from '../api-keys.js';

/** What ADD answers. */
const STORED = 1;
const FULL = 2;
const EXISTS = 3;

/**
 * Stores a new key within MAX_API_KEYS, in one step, so replicas adding at once stay within the bound. KEYS: the
 * key's hash, the index. ARGV: the id, the limit, then the hash's fields and values.
 */
const ADD = `
if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[2]) then return ${FULL} end
if redis.call('EXISTS', KEYS[1]) == 1 then return ${EXISTS} end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('SADD', KEYS[2], ARGV[1])
return ${STORED}`;

/** Sets revokedAt (ARGV[1]) on a key that exists and is live; answers 1 when it did. */
const REVOKE = `
if redis.call('HEXISTS', KEYS[1], 'hash') == 0 then return 0 end
local revoked = redis.call('HGET', KEYS[1], 'revokedAt')
if revoked and revoked ~= '' then return 0 end
redis.call('HSET', KEYS[1], 'revokedAt', ARGV[1])
return 1`;

/**
 * API keys in Redis, shared by replicas: a hash per key and the ids in a set (its SCARD is the count checked
 * against MAX_API_KEYS). Writes that touch both are one script.
 */
export class RedisApiKeyStore implements ApiKeyStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'dredge:store:',
  ) {}

  private key(id: string): string {
    return `${this.prefix}api-key:${id}`;
  }

  private get index(): string {
    return `${this.prefix}api-keys`;
  }

  async add(record: ApiKeyRecord): Promise<void> {
    const answer = (await this.redis.eval(
      ADD,
      2,
      this.key(record.id),
      this.index,
      record.id,
      String(MAX_API_KEYS),
      ...Object.entries(toFields(record)).flat(),
    )) as number;
    if (answer === FULL) throw apiKeyStoreFull();
    if (answer === EXISTS) throw new Error(`An API key with id ${record.id} is stored already.`);
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    return fromFields(id, await this.redis.hgetall(this.key(id)));
  }

  async list(): Promise<ApiKeyRecord[]> {
    const ids = await this.redis.smembers(this.index);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.key(id));
    const replies = (await pipeline.exec()) ?? [];
    const records: ApiKeyRecord[] = [];
    ids.forEach((id, i) => {
      const [error, fields] = replies[i] ?? [null, null];
      if (error) throw error;
      const record = fromFields(id, fields as Record<string, string>);
      if (record) records.push(record);
    });
    // As the SQLite store answers: oldest first (ISO times sort as text), then by id.
    return records.sort((a, b) => compare(a.createdAt, b.createdAt) || compare(a.id, b.id));
  }

  async revoke(id: string, at: string): Promise<boolean> {
    return (await this.redis.eval(REVOKE, 1, this.key(id), at)) === 1;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toFields(record: ApiKeyRecord): Record<string, string> {
  return {
    tenant: record.tenant,
    name: record.name,
    scopes: record.scopes.join(','),
    hash: record.hash,
    createdAt: record.createdAt,
    revokedAt: record.revokedAt ?? '',
  };
}

function fromFields(id: string, fields: Record<string, string>): ApiKeyRecord | undefined {
  if (fields.hash === undefined || fields.tenant === undefined) return undefined;
  return {
    id,
    tenant: fields.tenant,
    name: fields.name ?? '',
    scopes: fields.scopes ? fields.scopes.split(',') : [],
    hash: fields.hash,
    createdAt: fields.createdAt ?? '',
    revokedAt: fields.revokedAt ? fields.revokedAt : null,
  };
}
