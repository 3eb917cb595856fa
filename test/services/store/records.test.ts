import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { InsightLimits } from '../../../src/services/store/insight-limits.js';
import type { InsightStore, TaskResultStore } from '../../../src/services/store/records.js';
import { RedisInsightStore, RedisTaskResultStore } from '../../../src/services/store/redis/redis-records.js';
import { DATABASE_FILE, openDatabase } from '../../../src/services/store/sqlite/database.js';
import { MIGRATIONS } from '../../../src/services/store/sqlite/migrations.js';
import {
  SqliteInsightStore,
  SqliteTaskResultStore,
} from '../../../src/services/store/sqlite/sqlite-records.js';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';
import { useTempDirs } from '../../helpers/temp-dir.js';
import type { Awaitable } from '../../helpers/postgres-database.js';
import { describeWithPostgres } from '../../helpers/describe-with-postgres.js';
import { openPostgresDatabase } from '../../helpers/postgres-database.js';
import {
  PostgresInsightStore,
  PostgresTaskResultStore,
} from '../../../src/services/store/postgres/postgres-records.js';

const tempDir = useTempDirs();
const ROOMY: InsightLimits = { maxInsights: 100_000, maxBytes: 64 * 1024 * 1024 };

function describeRecords(
  name: string,
  open: (
    limits?: InsightLimits,
  ) => Awaitable<{ insights: InsightStore; results: TaskResultStore; close(): unknown }>,
) {
  describe(`${name} insights and task results`, () => {
    it('keeps one record per insight, pages newest first, searches, deletes', async () => {
      const { insights, close } = await open();
      try {
        const first = await insights.save('a1', 'Digital memory must be human-reachable');
        const again = await insights.save('a1', 'Digital memory must be human-reachable');
        expect(first.created).toBe(true);
        expect(again).toEqual({ record: first.record, created: false });
        await new Promise((resolve) => setTimeout(resolve, 5));
        await insights.save('b2', 'Strings vibrate in ten dimensions');
        const page = await insights.list({ offset: 0, limit: 1 });
        expect(page).toMatchObject({ total: 2, items: [{ id: 'b2' }] });
        expect(
          (await insights.list({ offset: 0, limit: 10, search: 'MEMORY' })).items.map((i) => i.id),
        ).toEqual(['a1']);
        expect(await insights.delete('a1')).toBe(true);
        expect(await insights.get('a1')).toBeUndefined();
        expect(await insights.delete('a1')).toBe(false);
      } finally {
        await close();
      }
    });

    it('pages and searches many insights: every match once, counted, beyond one read chunk', async () => {
      const { insights, close } = await open();
      try {
        const matching = new Set<string>();
        for (let i = 0; i < 600; i++) {
          const id = `id${String(i).padStart(4, '0')}`;
          await insights.save(id, i % 3 === 0 ? `insight ${i} with a NEEDLE` : `insight ${i}`);
          if (i % 3 === 0) matching.add(id);
        }
        const found: string[] = [];
        for (let offset = 0; offset < 260; offset += 50) {
          const page = await insights.list({ offset, limit: 50, search: 'needle' });
          expect(page.total).toBe(200);
          found.push(...page.items.map((item) => item.id));
        }
        expect(found).toHaveLength(200);
        expect(new Set(found)).toEqual(matching);
        const tail = await insights.list({ offset: 590, limit: 20 });
        expect(tail).toMatchObject({ total: 600 });
        expect(tail.items).toHaveLength(10);
        expect(await insights.list({ offset: 0, limit: 0 })).toEqual({ items: [], total: 600 });
      } finally {
        await close();
      }
    });

    it('refuses a new insight beyond MAX_INSIGHTS with 413, still answers a kept text, and has room after a delete', async () => {
      const { insights, close } = await open({ maxInsights: 3, maxBytes: 1 << 20 });
      try {
        for (const id of ['a', 'b', 'c']) expect((await insights.save(id, `text ${id}`)).created).toBe(true);
        const refusal = insights.save('d', 'text d');
        await expect(refusal).rejects.toMatchObject({ code: 'too_large', status: 413 });
        await expect(refusal).rejects.toThrow(
          'The insight store is full (3 insights, MAX_INSIGHTS): delete an insight first.',
        );
        // Lifting a text already kept stays idempotent, full or not.
        expect(await insights.save('b', 'text b')).toMatchObject({ created: false, record: { id: 'b' } });
        expect(await insights.delete('a')).toBe(true);
        expect((await insights.save('d', 'text d')).created).toBe(true);
        expect((await insights.list({ offset: 0, limit: 10 })).total).toBe(3);
      } finally {
        await close();
      }
    });

    it('counts the UTF-8 bytes of the texts against MAX_INSIGHT_BYTES, and gives them back on delete', async () => {
      const { insights, close } = await open({ maxInsights: 100, maxBytes: 20 });
      try {
        await insights.save('e', 'é'.repeat(6)); // 12 bytes, 6 characters
        await expect(insights.save('f', '123456789')).rejects.toThrow(
          'The insight store has room for 8 more bytes of text (MAX_INSIGHT_BYTES), and this insight has 9: delete an insight first.',
        );
        expect((await insights.save('g', '12345678')).created).toBe(true);
        await expect(insights.save('h', 'x')).rejects.toMatchObject({ code: 'too_large' });
        expect(await insights.delete('e')).toBe(true);
        expect((await insights.save('f', '123456789')).created).toBe(true);
      } finally {
        await close();
      }
    });

    it('stays within MAX_INSIGHTS when many new insights arrive at once', async () => {
      const { insights, close } = await open({ maxInsights: 5, maxBytes: 1 << 20 });
      try {
        const saves = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => insights.save(`id${i}`, `insight ${i}`)),
        );
        expect(saves.filter((save) => save.status === 'fulfilled')).toHaveLength(5);
        expect((await insights.list({ offset: 0, limit: 100 })).total).toBe(5);
      } finally {
        await close();
      }
    });

    it('keeps a task result until it expires', async () => {
      const { results, close } = await open();
      try {
        await results.put('t1', '{"success":true}', 60_000);
        await results.put('t2', '{"success":true}', 20);
        expect(await results.get('t1')).toBe('{"success":true}');
        await new Promise((resolve) => setTimeout(resolve, 60));
        expect(await results.get('t2')).toBeUndefined();
        expect(await results.delete('t1')).toBe(true);
        expect(await results.get('t1')).toBeUndefined();
      } finally {
        await close();
      }
    });
  });
}

describeRecords('SQLite', (limits = ROOMY) => {
  const db = openDatabase(tempDir());
  return {
    insights: new SqliteInsightStore(db, limits),
    results: new SqliteTaskResultStore(db),
    close: () => db.close(),
  };
});

describeWithRedis('Redis records', (redis) => {
  let run = 0;
  describeRecords('Redis', (limits = ROOMY) => {
    const client = new Redis(redis().url);
    const prefix = `records:${run++}:`;
    return {
      insights: new RedisInsightStore(client, limits, prefix),
      results: new RedisTaskResultStore(client, prefix),
      close: () => client.disconnect(),
    };
  });
});

describeWithRedis('Redis insights kept before the byte total existed', (redis) => {
  it('counts their bytes once, then holds the bound', async () => {
    const client = new Redis(redis().url);
    const prefix = 'records:upgraded:';
    try {
      // What an earlier release wrote: hashes and the index, no byte total.
      for (const [id, text] of [
        ['old1', 'x'.repeat(40)],
        ['old2', 'y'.repeat(50)],
      ] as const) {
        await client.hset(`${prefix}insight:${id}`, 'text', text, 'createdAt', new Date().toISOString());
        await client.zadd(`${prefix}insights`, Date.now(), id);
      }
      const insights = new RedisInsightStore(client, { maxInsights: 10, maxBytes: 100 }, prefix);
      await expect(insights.save('new', 'z'.repeat(11))).rejects.toThrow('room for 10 more bytes');
      expect(await client.get(`${prefix}insights:bytes`)).toBe('90');
      expect((await insights.save('new', 'z'.repeat(10))).created).toBe(true);
      expect(await insights.delete('old1')).toBe(true);
      expect(await client.get(`${prefix}insights:bytes`)).toBe('60');
    } finally {
      client.disconnect();
    }
  });
});

describe('SQLite insights kept before the running totals (migration 3)', () => {
  it('are counted by the migration', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    // A database of the release before: steps 1 and 2 taken, one insight of 60 bytes (30 characters) in it.
    const old = new Database(join(dir, DATABASE_FILE));
    old.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    for (const step of MIGRATIONS.slice(0, 2)) {
      old.exec(step.sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(step.version, 'before', 'then');
    }
    old.prepare('INSERT INTO insights VALUES (?, ?, ?)').run('old', 'é'.repeat(30), new Date().toISOString());
    old.close();
    const db = openDatabase(dir);
    try {
      const insights = new SqliteInsightStore(db, { maxInsights: 10, maxBytes: 100 });
      await expect(insights.save('new', 'z'.repeat(41))).rejects.toThrow('room for 40 more bytes');
      expect((await insights.save('new', 'z'.repeat(40))).created).toBe(true);
    } finally {
      db.close();
    }
  });
});

describeWithPostgres('PostgreSQL records', (postgres) => {
  describeRecords('PostgreSQL', async (limits = ROOMY) => {
    const database = await openPostgresDatabase(postgres());
    return {
      insights: new PostgresInsightStore(database.pool, limits),
      results: new PostgresTaskResultStore(database.pool),
      close: database.close,
    };
  });
});
