import { expect, it } from 'vitest';
import { MIGRATIONS, migrate, schemaVersion } from '../../../src/services/store/postgres/migrations.js';
import { createPostgresPool } from '../../../src/services/store/postgres/pool.js';
import { PostgresInsightStore } from '../../../src/services/store/postgres/postgres-records.js';
import { databaseSettings, openPostgresDatabase } from '../../helpers/postgres-database.js';
import { describeWithPostgres } from '../../helpers/describe-with-postgres.js';

const ROOMY = { maxInsights: 100_000, maxBytes: 64 * 1024 * 1024 };

describeWithPostgres('the PostgreSQL schema', (postgres) => {
  it('is migrated once when replicas start together: the advisory lock orders them', async () => {
    const url = await postgres().createDatabase('dredge_migrate_together');
    const pools = Array.from({ length: 4 }, () => createPostgresPool(databaseSettings(url)));
    try {
      const applied = await Promise.all(pools.map((pool) => migrate(pool)));
      const versions = MIGRATIONS.map((step) => step.version);
      // One replica took every step; the others waited, then found nothing to do.
      expect(applied.filter((steps) => steps.length > 0)).toEqual([versions]);
      expect(applied.filter((steps) => steps.length === 0)).toHaveLength(pools.length - 1);
      const { rows } = await pools[0]!.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(rows.map((row) => row.version)).toEqual(versions);
      expect(await schemaVersion(pools[0]!)).toBe(versions.at(-1));
      // A restart takes no step again.
      expect(await migrate(pools[1]!)).toEqual([]);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('leaves a database at step 1 whole and takes the missing steps on the next start', async () => {
    const url = await postgres().createDatabase('dredge_migrate_upgrade');
    const pool = createPostgresPool(databaseSettings(url));
    try {
      // A database an earlier release made: step 1 only.
      await pool.query(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, ' +
          'applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
      await pool.query(MIGRATIONS[0]!.sql);
      await pool.query("INSERT INTO schema_migrations (version, description) VALUES (1, 'first')");
      expect(await schemaVersion(pool)).toBe(1);
      expect(await migrate(pool)).toEqual(MIGRATIONS.slice(1).map((step) => step.version));
      expect(await schemaVersion(pool)).toBe(MIGRATIONS.at(-1)!.version);
    } finally {
      await pool.end();
    }
  });

  it('answers an insight search from the trigram GIN index, not by reading every insight', async () => {
    const { pool, close } = await openPostgresDatabase(postgres());
    try {
      const insights = new PostgresInsightStore(pool, ROOMY);
      // As many as the store is likely to hold, so the planner prices a scan as it would in use.
      await pool.query(
        "INSERT INTO insights (tenant, id, text, bytes, created_at) SELECT 'default', 'i' || n, " +
          "'insight number ' || n || ' about strings', 30, now() FROM generate_series(1, 20000) AS n",
      );
      await pool.query('VACUUM ANALYZE insights');
      // The planner's own choice, as the store's search statement makes it.
      const { rows } = await pool.query<{ 'QUERY PLAN': string }>(
        "EXPLAIN SELECT id FROM insights WHERE tenant = 'default' AND text ILIKE '%number 12345 %'",
      );
      expect(rows.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/Bitmap Index Scan on insights_text/);
      expect(await insights.list({ offset: 0, limit: 10, search: 'NUMBER 12345 ' })).toMatchObject({
        total: 1,
        items: [{ id: 'i12345' }],
      });
    } finally {
      await close();
    }
  });

  it('searches for %, _ and \\ as themselves', async () => {
    const { pool, close } = await openPostgresDatabase(postgres());
    try {
      const insights = new PostgresInsightStore(pool, ROOMY);
      await insights.save('a', 'growth of 50% in a_b\\c');
      await insights.save('b', 'growth of 500 in aXb');
      const found = async (search: string) =>
        (await insights.list({ offset: 0, limit: 10, search })).items.map((item) => item.id);
      expect(await found('50%')).toEqual(['a']);
      expect(await found('a_b')).toEqual(['a']);
      expect(await found('b\\c')).toEqual(['a']);
      expect(await found('GROWTH')).toEqual(['b', 'a']);
    } finally {
      await close();
    }
  });
});
