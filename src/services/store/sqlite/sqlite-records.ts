import type { InsightPage, InsightRecord, InsightStore, TaskResultStore } from '../records.js';
import type { SqliteDatabase } from './database.js';

export class SqliteInsightStore implements InsightStore {
  constructor(private readonly db: SqliteDatabase) {}

  save(id: string, text: string): Promise<{ record: InsightRecord; created: boolean }> {
    const created =
      this.db
        .prepare('INSERT OR IGNORE INTO insights (id, text, created_at) VALUES (?, ?, ?)')
        .run(id, text, new Date().toISOString()).changes > 0;
    return Promise.resolve({ record: this.find(id) as InsightRecord, created });
  }

  get(id: string): Promise<InsightRecord | undefined> {
    return Promise.resolve(this.find(id));
  }

  list({ offset, limit, search }: { offset: number; limit: number; search?: string }): Promise<InsightPage> {
    // instr() on lower-cased text: a plain substring search, with no LIKE wildcards to escape.
    const where = search ? 'WHERE instr(lower(text), lower(?)) > 0' : '';
    const args = search ? [search] : [];
    const items = this.db
      .prepare(
        `SELECT id, text, created_at AS createdAt FROM insights ${where} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`,
      )
      .all(...args, limit, offset) as InsightRecord[];
    const { total } = this.db.prepare(`SELECT COUNT(*) AS total FROM insights ${where}`).get(...args) as {
      total: number;
    };
    return Promise.resolve({ items, total });
  }

  delete(id: string): Promise<boolean> {
    return Promise.resolve(this.db.prepare('DELETE FROM insights WHERE id = ?').run(id).changes > 0);
  }

  private find(id: string): InsightRecord | undefined {
    return this.db.prepare('SELECT id, text, created_at AS createdAt FROM insights WHERE id = ?').get(id) as
      InsightRecord | undefined;
  }
}

export class SqliteTaskResultStore implements TaskResultStore {
  constructor(private readonly db: SqliteDatabase) {}

  put(id: string, result: string, ttlMs: number): Promise<void> {
    const now = Date.now();
    this.db.prepare('DELETE FROM task_results WHERE expires_at <= ?').run(now);
    this.db
      .prepare('INSERT OR REPLACE INTO task_results (id, result, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(id, result, new Date(now).toISOString(), now + ttlMs);
    return Promise.resolve();
  }

  get(id: string): Promise<string | undefined> {
    const row = this.db
      .prepare('SELECT result FROM task_results WHERE id = ? AND expires_at > ?')
      .get(id, Date.now()) as { result: string } | undefined;
    return Promise.resolve(row?.result);
  }

  delete(id: string): Promise<boolean> {
    return Promise.resolve(this.db.prepare('DELETE FROM task_results WHERE id = ?').run(id).changes > 0);
  }
}
