import { admitInsight, type InsightLimits, type InsightTotals } from '../insight-limits.js';
import type { InsightPage, InsightRecord, InsightStore, TaskResultStore } from '../records.js';
import type { SqliteDatabase } from './database.js';

const INSIGHT_COLUMNS = 'id, text, created_at AS createdAt';
// instr() on lower-cased text: a plain substring search, with no LIKE wildcards to escape.
const MATCHES = 'WHERE instr(lower(text), lower(?)) > 0';

/**
 * Insights in the embedded store. A new insight is admitted against the running totals (migration 3's triggers)
 * in the transaction that inserts it, so processes sharing DATA_DIR stay within the limits together.
 */
export class SqliteInsightStore implements InsightStore {
  private readonly statements;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly limits: InsightLimits,
  ) {
    this.statements = {
      insert: db.prepare('INSERT INTO insights (id, text, created_at) VALUES (?, ?, ?)'),
      totals: db.prepare('SELECT insights, bytes FROM insight_totals'),
      one: db.prepare(`SELECT ${INSIGHT_COLUMNS} FROM insights WHERE id = ?`),
      page: db.prepare(
        `SELECT ${INSIGHT_COLUMNS} FROM insights ORDER BY created_at DESC, id LIMIT ? OFFSET ?`,
      ),
      // The running count (migration 3): counting rows would read every insight's text.
      count: db.prepare('SELECT insights AS total FROM insight_totals'),
      searchPage: db.prepare(
        `SELECT ${INSIGHT_COLUMNS} FROM insights ${MATCHES} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`,
      ),
      searchCount: db.prepare(`SELECT COUNT(*) AS total FROM insights ${MATCHES}`),
      remove: db.prepare('DELETE FROM insights WHERE id = ?'),
    };
  }

  async save(id: string, text: string): Promise<{ record: InsightRecord; created: boolean }> {
    const { one, totals, insert } = this.statements;
    return this.db
      .transaction(() => {
        const existing = one.get(id) as InsightRecord | undefined;
        if (existing) return { record: existing, created: false };
        admitInsight(this.limits, totals.get() as InsightTotals, Buffer.byteLength(text));
        insert.run(id, text, new Date().toISOString());
        return { record: one.get(id) as InsightRecord, created: true };
      })
      .immediate();
  }

  get(id: string): Promise<InsightRecord | undefined> {
    return Promise.resolve(this.statements.one.get(id) as InsightRecord | undefined);
  }

  list({ offset, limit, search }: { offset: number; limit: number; search?: string }): Promise<InsightPage> {
    const { page, count, searchPage, searchCount } = this.statements;
    const items = (
      search ? searchPage.all(search, limit, offset) : page.all(limit, offset)
    ) as InsightRecord[];
    const { total } = (search ? searchCount.get(search) : count.get()) as { total: number };
    return Promise.resolve({ items, total });
  }

  delete(id: string): Promise<boolean> {
    return Promise.resolve(this.statements.remove.run(id).changes > 0);
  }
}

export class SqliteTaskResultStore implements TaskResultStore {
  private readonly statements;

  constructor(db: SqliteDatabase) {
    this.statements = {
      expire: db.prepare('DELETE FROM task_results WHERE expires_at <= ?'),
      put: db.prepare(
        'INSERT OR REPLACE INTO task_results (id, result, created_at, expires_at) VALUES (?, ?, ?, ?)',
      ),
      get: db.prepare('SELECT result FROM task_results WHERE id = ? AND expires_at > ?'),
      remove: db.prepare('DELETE FROM task_results WHERE id = ?'),
    };
  }

  put(id: string, result: string, ttlMs: number): Promise<void> {
    const now = Date.now();
    this.statements.expire.run(now);
    this.statements.put.run(id, result, new Date(now).toISOString(), now + ttlMs);
    return Promise.resolve();
  }

  get(id: string): Promise<string | undefined> {
    const row = this.statements.get.get(id, Date.now()) as { result: string } | undefined;
    return Promise.resolve(row?.result);
  }

  delete(id: string): Promise<boolean> {
    return Promise.resolve(this.statements.remove.run(id).changes > 0);
  }
}
