import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { MAX_API_KEYS, type ApiKeyRecord, type ApiKeyStore } from '../../../src/services/store/api-keys.js';
import { RedisApiKeyStore } from '../../../src/services/store/redis/redis-api-keys.js';
import { openDatabase } from '../../../src/services/store/sqlite/database.js';
import { SqliteApiKeyStore } from '../../../src/services/store/sqlite/sqlite-api-keys.js';
import { DredgeError } from '../../../src/services/errors.js';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';
import { useTempDirs } from '../../helpers/temp-dir.js';
import type { Awaitable } from '../../helpers/postgres-database.js';
import { describeWithPostgres } from '../../helpers/describe-with-postgres.js';
import { openPostgresDatabase } from '../../helpers/postgres-database.js';
import { PostgresApiKeyStore } from '../../../src/services/store/postgres/postgres-api-keys.js';

const tempDir = useTempDirs();

function key(id: string, createdAt: string, extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id,
    tenant: 'default',
    name: 'ci',
    scopes: ['read', 'write'],
    hash: 'ab'.repeat(32),
    createdAt,
    revokedAt: null,
    ...extra,
  };
}

function describeApiKeys(name: string, open: () => Awaitable<{ store: ApiKeyStore; close(): unknown }>) {
  describe(`${name} API keys`, () => {
    it('keeps a key exactly as added, and lists every key oldest first', async () => {
      const { store, close } = await open();
      try {
        expect(await store.list()).toEqual([]);
        expect(await store.get('0123456789abcdef')).toBeUndefined();
        const later = key('00000000000000ff', '2025-01-02T00:00:00.000Z', {
          tenant: 'acme.prod-1',
          name: 'ünïcödé, with commas ✓',
          scopes: ['admin'],
        });
        const first = key('ffffffffffffffff', '2025-01-01T00:00:00.000Z');
        const sameTime = key('0000000000000001', '2025-01-01T00:00:00.000Z', { scopes: [] });
        await store.add(later);
        await store.add(first);
        await store.add(sameTime);
        expect(await store.get(later.id)).toEqual(later);
        expect(await store.get(sameTime.id)).toEqual(sameTime);
        expect(await store.list()).toEqual([sameTime, first, later]);
      } finally {
        await close();
      }
    });

    it('revokes a live key once; an unknown or revoked key is not revoked again', async () => {
      const { store, close } = await open();
      try {
        const record = key('0123456789abcdef', '2025-01-01T00:00:00.000Z');
        await store.add(record);
        expect(await store.revoke('fedcba9876543210', '2025-02-01T00:00:00.000Z')).toBe(false);
        expect(await store.revoke(record.id, '2025-02-01T00:00:00.000Z')).toBe(true);
        expect(await store.revoke(record.id, '2025-03-01T00:00:00.000Z')).toBe(false);
        const revoked = { ...record, revokedAt: '2025-02-01T00:00:00.000Z' };
        expect(await store.get(record.id)).toEqual(revoked);
        expect(await store.list()).toEqual([revoked]);
        // Revoking never made an unknown key appear.
        expect(await store.get('fedcba9876543210')).toBeUndefined();
      } finally {
        await close();
      }
    });

    it(`refuses a key past MAX_API_KEYS (${MAX_API_KEYS}), revoked keys counted, with too_large`, async () => {
      const { store, close } = await open();
      try {
        const ids = Array.from({ length: MAX_API_KEYS }, (_, i) => i.toString(16).padStart(16, '0'));
        for (let start = 0; start < ids.length; start += 500) {
          await Promise.all(
            ids.slice(start, start + 500).map((id) => store.add(key(id, '2025-01-01T00:00:00.000Z'))),
          );
        }
        expect(await store.revoke(ids[0]!, '2025-02-01T00:00:00.000Z')).toBe(true);
        const refused = await store.add(key('ffffffffffffffff', '2025-03-01T00:00:00.000Z')).catch((e) => e);
        expect(refused).toBeInstanceOf(DredgeError);
        expect(refused).toMatchObject({ code: 'too_large', status: 413 });
        expect((refused as Error).message).toContain(String(MAX_API_KEYS));
        expect(await store.get('ffffffffffffffff')).toBeUndefined();
        expect(await store.list()).toHaveLength(MAX_API_KEYS);
      } finally {
        await close();
      }
    });
  });
}

describeApiKeys('SQLite', () => {
  const db = openDatabase(tempDir());
  return { store: new SqliteApiKeyStore(db), close: () => db.close() };
});

describeWithRedis('Redis API keys', (redis) => {
  let run = 0;
  describeApiKeys('Redis', () => {
    const client = new Redis(redis().url);
    return {
      store: new RedisApiKeyStore(client, `api-keys:${run++}:`),
      close: () => client.disconnect(),
    };
  });
});

describeWithPostgres('PostgreSQL API keys', (postgres) => {
  describeApiKeys('PostgreSQL', async () => {
    const database = await openPostgresDatabase(postgres());
    return { store: new PostgresApiKeyStore(database.pool), close: database.close };
  });
});
