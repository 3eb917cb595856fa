import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { InsightStore, TaskResultStore } from '../../../src/services/store/records.js';
import { RedisInsightStore, RedisTaskResultStore } from '../../../src/services/store/redis/redis-records.js';
import { openDatabase } from '../../../src/services/store/sqlite/database.js';
import {
  SqliteInsightStore,
  SqliteTaskResultStore,
} from '../../../src/services/store/sqlite/sqlite-records.js';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

const tempDir = useTempDirs();

function describeRecords(
  name: string,
  open: () => { insights: InsightStore; results: TaskResultStore; close(): void },
) {
  describe(`${name} insights and task results`, () => {
    it('keeps one record per insight, pages newest first, searches, deletes', async () => {
      const { insights, close } = open();
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
        close();
      }
    });

    it('pages and searches many insights: every match once, counted, beyond one read chunk', async () => {
      const { insights, close } = open();
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
        close();
      }
    });

    it('keeps a task result until it expires', async () => {
      const { results, close } = open();
      try {
        await results.put('t1', '{"success":true}', 60_000);
        await results.put('t2', '{"success":true}', 20);
        expect(await results.get('t1')).toBe('{"success":true}');
        await new Promise((resolve) => setTimeout(resolve, 60));
        expect(await results.get('t2')).toBeUndefined();
        expect(await results.delete('t1')).toBe(true);
        expect(await results.get('t1')).toBeUndefined();
      } finally {
        close();
      }
    });
  });
}

describeRecords('SQLite', () => {
  const db = openDatabase(tempDir());
  return {
    insights: new SqliteInsightStore(db),
    results: new SqliteTaskResultStore(db),
    close: () => db.close(),
  };
});

describeWithRedis('Redis records', (redis) => {
  let run = 0;
  describeRecords('Redis', () => {
    const client = new Redis(redis().url);
    const prefix = `records:${run++}:`;
    return {
      insights: new RedisInsightStore(client, prefix),
      results: new RedisTaskResultStore(client, prefix),
      close: () => client.disconnect(),
    };
  });
});
