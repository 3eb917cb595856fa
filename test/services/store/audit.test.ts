import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_PRUNE_INTERVAL_MS,
  MAX_AUDIT_TAIL,
  type AuditRecord,
  type AuditStore,
  type AuditStoreOptions,
} from '../../../src/services/store/audit.js';
import { RedisAuditStore } from '../../../src/services/store/redis/redis-audit.js';
import { openDatabase } from '../../../src/services/store/sqlite/database.js';
import { SqliteAuditStore } from '../../../src/services/store/sqlite/sqlite-audit.js';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';
import { useTempDirs } from '../../helpers/temp-dir.js';
import { auditRecord } from '../../helpers/audit-records.js';
import type { Awaitable } from '../../helpers/postgres-database.js';
import { describeWithPostgres } from '../../helpers/describe-with-postgres.js';
import { openPostgresDatabase } from '../../helpers/postgres-database.js';
import { PostgresAuditStore } from '../../../src/services/store/postgres/postgres-audit.js';

const tempDir = useTempDirs();

/** Records are made around the time the tests start: well within the default retention. */
const NOW = Date.now();
const DAY_MS = 24 * 60 * 60 * 1000;

const record = (n: number, extra: Partial<AuditRecord> = {}): AuditRecord => auditRecord(NOW, n, extra);

/** The records as stored, without their seqs. */
function unsequenced(records: ReadonlyArray<AuditRecord & { seq: number }>): AuditRecord[] {
  return records.map(({ seq: _seq, ...rest }) => rest);
}

interface Opened {
  readonly store: AuditStore;
  close(): unknown;
}

function describeAudit(
  name: string,
  open: (options?: AuditStoreOptions) => Awaitable<Opened>,
  /** How far past its bound a store may keep records (Redis trims whole stream nodes). */
  countSlack: number,
) {
  describe(`${name} audit log`, () => {
    it('keeps records exactly as appended, and tails them newest last', async () => {
      const { store, close } = await open();
      try {
        expect(await store.tail(20)).toEqual([]);
        const first = record(1, { keyId: null, requestId: null, client: null, count: 1000 });
        const rest = [2, 3, 4, 5].map((n) => record(n, { action: n % 2 ? 'authentication' : 'lift' }));
        await store.append([first]);
        await store.append(rest);
        await store.append([]);
        const all = await store.tail(20);
        expect(unsequenced(all)).toEqual([first, ...rest]);
        const seqs = all.map((stored) => stored.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(new Set(seqs).size).toBe(5);
        expect(seqs.every((seq) => Number.isSafeInteger(seq) && seq > 0)).toBe(true);

        expect(unsequenced(await store.tail(2))).toEqual(rest.slice(2));
        expect(await store.tail(0)).toEqual([]);
      } finally {
        await close();
      }
    });

    it('answers the first records after a seq, so a follower misses nothing', async () => {
      const { store, close } = await open();
      try {
        await store.append([1, 2, 3, 4, 5].map((n) => record(n)));
        const all = await store.tail(MAX_AUDIT_TAIL * 10);
        expect(all).toHaveLength(5);
        const [a, b, c, d, e] = all.map((stored) => stored.seq) as [number, number, number, number, number];
        expect(await store.tail(2, a)).toEqual(all.slice(1, 3));
        expect((await store.tail(100, c)).map((s) => s.seq)).toEqual([d, e]);
        expect(await store.tail(100, e)).toEqual([]);
        expect((await store.tail(100, 0)).map((s) => s.seq)).toEqual([a, b, c, d, e]);

        await store.append([record(6)]);
        const next = await store.tail(100, e);
        expect(unsequenced(next)).toEqual([record(6)]);
        expect(next[0]!.seq).toBeGreaterThan(e);
      } finally {
        await close();
      }
    });

    it('keeps at most its bound of records, the newest, with seqs that keep growing', async () => {
      const bound = 10;
      const { store, close } = await open({ maxRecords: bound });
      try {
        for (let batch = 0; batch < 30; batch++) {
          await store.append(Array.from({ length: 20 }, (_, i) => record(batch * 20 + i)));
        }
        const kept = await store.tail(MAX_AUDIT_TAIL);
        expect(kept.length).toBeGreaterThanOrEqual(bound);
        expect(kept.length).toBeLessThanOrEqual(bound + countSlack);
        expect(unsequenced(kept.slice(-bound))).toEqual(
          Array.from({ length: bound }, (_, i) => record(600 - bound + i)),
        );
        const last = kept.at(-1)!.seq;
        await store.append([record(1000)]);
        expect((await store.tail(1, last))[0]!.seq).toBeGreaterThan(last);
      } finally {
        await close();
      }
    });

    it('deletes records past the retention time on an append, at most once a minute', async () => {
      let now = NOW;
      const { store, close } = await open({ retentionDays: 90, now: () => now });
      try {
        const old = record(0, { time: new Date(NOW - 91 * DAY_MS).toISOString(), requestId: 'old' });
        // Within the retention time now, past it a minute later.
        const ageing = record(1, {
          time: new Date(NOW - 90 * DAY_MS + 30_000).toISOString(),
          requestId: 'ageing',
        });
        await store.append([old, ageing]);
        expect(unsequenced(await store.tail(10))).toEqual([ageing]);

        // Within the minute, nothing is pruned.
        now += AUDIT_PRUNE_INTERVAL_MS - 1;
        await store.append([old]);
        expect(unsequenced(await store.tail(10))).toEqual([ageing, old]);

        now += 1;
        await store.append([record(2)]);
        expect(unsequenced(await store.tail(10))).toEqual([record(2)]);
      } finally {
        await close();
      }
    });
  });
}

describeAudit(
  'SQLite',
  (options) => {
    const db = openDatabase(tempDir());
    return { store: new SqliteAuditStore(db, undefined, options), close: () => db.close() };
  },
  0,
);

describe('SQLite audit log is append-only', () => {
  it('refuses to change a record, and keeps it as it was', async () => {
    const db = openDatabase(tempDir());
    try {
      const store = new SqliteAuditStore(db);
      await store.append([record(1)]);
      expect(() => db.prepare("UPDATE audit_log SET outcome = 'ok', tenant = 'other'").run()).toThrow(
        /append-only/,
      );
      expect(unsequenced(await store.tail(1))).toEqual([record(1)]);
    } finally {
      db.close();
    }
  });

  it('never reuses a seq, even once every record before it is deleted', async () => {
    const db = openDatabase(tempDir());
    try {
      const store = new SqliteAuditStore(db, undefined, { maxRecords: 1 });
      await store.append([record(1), record(2)]);
      const [kept] = await store.tail(10);
      db.prepare('DELETE FROM audit_log').run();
      await store.append([record(3)]);
      expect((await store.tail(10))[0]!.seq).toBeGreaterThan(kept!.seq);
    } finally {
      db.close();
    }
  });
});

describeWithRedis('Redis audit log', (redis) => {
  let run = 0;
  describeAudit(
    'Redis',
    (options) => {
      const client = new Redis(redis().url);
      return {
        store: new RedisAuditStore(client, `audit:${run++}:`, options),
        close: () => client.disconnect(),
      };
    },
    // MAXLEN ~ trims whole nodes of the stream (stream-node-max-entries, 100 by default).
    100,
  );

  it('goes on counting seqs past the newest entry when its counter is lost', async () => {
    const client = new Redis(redis().url);
    try {
      const prefix = `audit:lost:${run++}:`;
      const store = new RedisAuditStore(client, prefix);
      await store.append([record(1), record(2)]);
      const [, last] = await store.tail(10);
      await client.del(`${prefix}audit:seq`);
      await store.append([record(3)]);
      const [next] = await store.tail(1, last!.seq);
      expect(next!.seq).toBe(last!.seq + 1);
      expect(unsequenced([next!])).toEqual([record(3)]);
    } finally {
      client.disconnect();
    }
  });
});

describeWithPostgres('PostgreSQL audit log', (postgres) => {
  describeAudit(
    'PostgreSQL',
    async (options) => {
      const database = await openPostgresDatabase(postgres());
      return { store: new PostgresAuditStore(database.pool, options), close: database.close };
    },
    0,
  );

  it('refuses to change a record, and keeps it as it was', async () => {
    const { pool, close } = await openPostgresDatabase(postgres());
    try {
      const store = new PostgresAuditStore(pool);
      await store.append([record(1)]);
      await expect(pool.query("UPDATE audit_log SET outcome = 'ok', tenant = 'other'")).rejects.toThrow(
        /append-only/,
      );
      expect(unsequenced(await store.tail(1))).toEqual([record(1)]);
    } finally {
      await close();
    }
  });
});
