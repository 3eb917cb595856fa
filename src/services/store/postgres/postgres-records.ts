import { admitInsight, type InsightLimits } from '../insight-limits.js';
import type { InsightPage, InsightQuery, InsightRecord, InsightStore, TaskResultStore } from '../records.js';
import { DEFAULT_TENANT, tenantInsightsFull, type TenantQuotas } from '../tenancy.js';
import { inTransaction, type PostgresPool } from './pool.js';

interface InsightRow {
  readonly id: string;
  readonly text: string;
  readonly created_at: Date;
}

const INSIGHT_COLUMNS = 'id, text, created_at';

/** The row of insight_totals that counts every tenant's insights (migration 2). */
const ALL_TENANTS = '';

/** `search` as an ILIKE pattern matching texts that contain it: its own %, _ and \ match only themselves. */
function containing(search: string): string {
  return `%${search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

function insightOf(row: InsightRow): InsightRecord {
  return { id: row.id, text: row.text, createdAt: row.created_at.toISOString() };
}

/**
 * Insights in PostgreSQL. A new insight is admitted against the running totals (migration 2's triggers) holding
 * the every-tenant row's lock, so replicas lifting at once stay within the limits together. Search is a
 * case-insensitive substring match, as in every store, answered from the trigram GIN index: it does not read
 * every insight.
 */
export class PostgresInsightStore implements InsightStore {
  constructor(
    private readonly pool: PostgresPool,
    private readonly limits: InsightLimits,
    private readonly quotas?: TenantQuotas,
  ) {}

  save(
    id: string,
    text: string,
    tenant: string = DEFAULT_TENANT,
  ): Promise<{ record: InsightRecord; created: boolean }> {
    return inTransaction(this.pool, async (client) => {
      const { rows: totals } = await client.query<{ insights: string; bytes: string }>(
        'SELECT insights, bytes FROM insight_totals WHERE tenant = $1 FOR UPDATE',
        [ALL_TENANTS],
      );
      // Read after the lock: a replica that saved the same text a moment ago has committed by now.
      const existing = await client.query<InsightRow>(
        `SELECT ${INSIGHT_COLUMNS} FROM insights WHERE tenant = $1 AND id = $2`,
        [tenant, id],
      );
      if (existing.rows[0]) return { record: insightOf(existing.rows[0]), created: false };
      const bytes = Buffer.byteLength(text);
      admitInsight(
        this.limits,
        { insights: Number(totals[0]?.insights ?? 0), bytes: Number(totals[0]?.bytes ?? 0) },
        bytes,
      );
      if (this.quotas) {
        const kept = await client.query<{ insights: string }>(
          'SELECT insights FROM insight_totals WHERE tenant = $1',
          [tenant],
        );
        if (Number(kept.rows[0]?.insights ?? 0) >= this.quotas.maxInsights)
          throw tenantInsightsFull(this.quotas);
      }
      const { rows } = await client.query<InsightRow>(
        `INSERT INTO insights (tenant, id, text, bytes, created_at) VALUES ($1, $2, $3, $4, $5) ` +
          `RETURNING ${INSIGHT_COLUMNS}`,
        [tenant, id, text, bytes, new Date()],
      );
      return { record: insightOf(rows[0]!), created: true };
    });
  }

  async get(id: string, tenant: string = DEFAULT_TENANT): Promise<InsightRecord | undefined> {
    const { rows } = await this.pool.query<InsightRow>(
      `SELECT ${INSIGHT_COLUMNS} FROM insights WHERE tenant = $1 AND id = $2`,
      [tenant, id],
    );
    return rows[0] && insightOf(rows[0]);
  }

  async list({ offset, limit, search, tenant = DEFAULT_TENANT }: InsightQuery): Promise<InsightPage> {
    if (search) {
      // One statement: the page and the count of every match, from one snapshot.
      const { rows } = await this.pool.query<InsightRow & { total: string }>(
        `SELECT ${INSIGHT_COLUMNS}, COUNT(*) OVER () AS total FROM insights ` +
          'WHERE tenant = $1 AND text ILIKE $2 ORDER BY created_at DESC, id LIMIT $3 OFFSET $4',
        [tenant, containing(search), limit, offset],
      );
      const total = rows[0] ? Number(rows[0].total) : await this.countMatches(tenant, search, offset);
      return { items: rows.map(insightOf), total };
    }
    const [page, counted] = await Promise.all([
      this.pool.query<InsightRow>(
        `SELECT ${INSIGHT_COLUMNS} FROM insights WHERE tenant = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
        [tenant, limit, offset],
      ),
      this.pool.query<{ insights: string }>('SELECT insights FROM insight_totals WHERE tenant = $1', [
        tenant,
      ]),
    ]);
    return { items: page.rows.map(insightOf), total: Number(counted.rows[0]?.insights ?? 0) };
  }

  async delete(id: string, tenant: string = DEFAULT_TENANT): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM insights WHERE tenant = $1 AND id = $2', [
      tenant,
      id,
    ]);
    return (rowCount ?? 0) > 0;
  }

  /** The matches' count when the page asked for lies past them all (an empty page still says how many there are). */
  private async countMatches(tenant: string, search: string, offset: number): Promise<number> {
    if (offset === 0) return 0;
    const { rows } = await this.pool.query<{ total: string }>(
      'SELECT COUNT(*) AS total FROM insights WHERE tenant = $1 AND text ILIKE $2',
      [tenant, containing(search)],
    );
    return Number(rows[0]?.total ?? 0);
  }
}

/** Results of finished tasks in PostgreSQL; expired ones are deleted as new ones are put. */
export class PostgresTaskResultStore implements TaskResultStore {
  constructor(private readonly pool: PostgresPool) {}

  async put(id: string, result: string, ttlMs: number, tenant: string = DEFAULT_TENANT): Promise<void> {
    const now = Date.now();
    await this.pool.query('DELETE FROM task_results WHERE expires_at <= $1', [new Date(now)]);
    await this.pool.query(
      'INSERT INTO task_results (id, tenant, result, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) ' +
        'ON CONFLICT (id) DO UPDATE SET tenant = EXCLUDED.tenant, result = EXCLUDED.result, ' +
        'created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at',
      [id, tenant, result, new Date(now), new Date(now + ttlMs)],
    );
  }

  async get(id: string, tenant?: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ result: string }>(
      // Expiry by this process's clock, as put set it (the database's may differ).
      tenant === undefined
        ? 'SELECT result FROM task_results WHERE id = $1 AND expires_at > $2'
        : 'SELECT result FROM task_results WHERE id = $1 AND expires_at > $2 AND tenant = $3',
      tenant === undefined ? [id, new Date()] : [id, new Date(), tenant],
    );
    return rows[0]?.result;
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM task_results WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }
}
