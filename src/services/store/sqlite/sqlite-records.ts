import { admitInsight, type InsightLimits, type InsightTotals } from '../insight-limits.js';
import type { InsightPage, InsightQuery, InsightRecord, InsightStore, TaskResultStore } from '../records.js';
import { DEFAULT_TENANT, tenantInsightsFull, type TenantQuotas } from '../tenancy.js';
import type { SqliteDatabase } from './database.js';
import { LoopWrites } from './loop-writes.js';

const INSIGHT_COLUMNS = 'id, text, created_at AS createdAt';
// instr() on lower-cased text: a plain substring search, with no LIKE wildcards to escape.
const MATCHES = 'WHERE tenant = ? AND instr(lower(text), lower(?)) > 0';

/**
 * Insights in the embedded store. A new insight is admitted against the running totals (migration 3's triggers)
 * in the transaction that inserts it, so processes sharing DATA_DIR stay within the limits together; with quotas,
 * against its tenant's running count too (migration 8). Every statement names the tenant.
 */
export class SqliteInsightStore implements InsightStore {
  private readonly statements;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly limits: InsightLimits,
    private readonly writes: LoopWrites = new LoopWrites(),
    private readonly quotas?: TenantQuotas,
  ) {
    this.statements = {
      insert: db.prepare('INSERT INTO insights (id, tenant, text, created_at) VALUES (?, ?, ?, ?)'),
      totals: db.prepare('SELECT insights, bytes FROM insight_totals'),
      one: db.prepare(`SELECT ${INSIGHT_COLUMNS} FROM insights WHERE id = ? AND tenant = ?`),
      page: db.prepare(
        `SELECT ${INSIGHT_COLUMNS} FROM insights WHERE tenant = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?`,
      ),
      // The running count per tenant (migration 8): counting rows would read every insight's text.
      count: db.prepare('SELECT insights AS total FROM tenant_insight_totals WHERE tenant = ?'),
      searchPage: db.prepare(
        `SELECT ${INSIGHT_COLUMNS} FROM insights ${MATCHES} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`,
      ),
      searchCount: db.prepare(`SELECT COUNT(*) AS total FROM insights ${MATCHES}`),
      remove: db.prepare('DELETE FROM insights WHERE id = ? AND tenant = ?'),
    };
  }

  async save(
    id: string,
    text: string,
    tenant: string = DEFAULT_TENANT,
  ): Promise<{ record: InsightRecord; created: boolean }> {
    const { one, totals, count, insert } = this.statements;
    const save = this.db.transaction(() => {
      const existing = one.get(id, tenant) as InsightRecord | undefined;
      if (existing) return { record: existing, created: false };
      admitInsight(this.limits, totals.get() as InsightTotals, Buffer.byteLength(text));
      const kept = (count.get(tenant) as { total: number } | undefined)?.total ?? 0;
      if (this.quotas && kept >= this.quotas.maxInsights) throw tenantInsightsFull(this.quotas);
      insert.run(id, tenant, text, new Date().toISOString());
      return { record: one.get(id, tenant) as InsightRecord, created: true };
    });
    return this.writes.run(() => save.immediate());
  }

  get(id: string, tenant: string = DEFAULT_TENANT): Promise<InsightRecord | undefined> {
    return Promise.resolve(this.statements.one.get(id, tenant) as InsightRecord | undefined);
  }

  list({ offset, limit, search, tenant = DEFAULT_TENANT }: InsightQuery): Promise<InsightPage> {
    const { page, count, searchPage, searchCount } = this.statements;
    const items = (
      search ? searchPage.all(tenant, search, limit, offset) : page.all(tenant, limit, offset)
    ) as InsightRecord[];
    const counted = (search ? searchCount.get(tenant, search) : count.get(tenant)) as
      { total: number } | undefined;
    return Promise.resolve({ items, total: counted?.total ?? 0 });
  }

  delete(id: string, tenant: string = DEFAULT_TENANT): Promise<boolean> {
    return this.writes.run(() => this.statements.remove.run(id, tenant).changes > 0);
  }
}

export class SqliteTaskResultStore implements TaskResultStore {
  private readonly statements;

  constructor(
    db: SqliteDatabase,
    private readonly writes: LoopWrites = new LoopWrites(),
  ) {
    this.statements = {
      expire: db.prepare('DELETE FROM task_results WHERE expires_at <= ?'),
      put: db.prepare(
        'INSERT OR REPLACE INTO task_results (id, tenant, result, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      ),
      get: db.prepare('SELECT result FROM task_results WHERE id = ? AND expires_at > ?'),
      tenantGet: db.prepare('SELECT result FROM task_results WHERE id = ? AND tenant = ? AND expires_at > ?'),
      remove: db.prepare('DELETE FROM task_results WHERE id = ?'),
    };
  }

  put(id: string, result: string, ttlMs: number, tenant: string = DEFAULT_TENANT): Promise<void> {
    return this.writes.run(() => {
      const now = Date.now();
      this.statements.expire.run(now);
      this.statements.put.run(id, tenant, result, new Date(now).toISOString(), now + ttlMs);
    });
  }

  get(id: string, tenant?: string): Promise<string | undefined> {
    const { get, tenantGet } = this.statements;
    const row = (tenant === undefined ? get.get(id, Date.now()) : tenantGet.get(id, tenant, Date.now())) as
      { result: string } | undefined;
    return Promise.resolve(row?.result);
  }

  delete(id: string): Promise<boolean> {
    return this.writes.run(() => this.statements.remove.run(id).changes > 0);
  }
}
