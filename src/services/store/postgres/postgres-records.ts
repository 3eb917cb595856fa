import { insightBytesFull, insightStoreFull, type InsightLimits } from '../insight-limits.js';
import type { InsightPage, InsightQuery, InsightRecord, InsightStore, TaskResultStore } from '../records.js';
import { DEFAULT_TENANT, tenantInsightsFull, type TenantQuotas } from '../tenancy.js';
import type { PostgresPool } from './pool.js';

/** What save_insight (migration 2) answers: how the save ended, and the record kept. */
interface SaveRow {
  readonly outcome: 'kept' | 'stored' | 'full' | 'bytes_full' | 'tenant_full';
  readonly kept_text: string | null;
  readonly kept_at: Date | null;
  readonly bytes_kept: string | null;
}

interface InsightRow {
  readonly id: string;
  readonly text: string;
  readonly created_at: Date;
}

const INSIGHT_COLUMNS = 'id, text, created_at';

/** `search` as an ILIKE pattern matching texts that contain it: its own %, _ and \ match only themselves. */
function containing(search: string): string {
  return `%${search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

function insightOf(row: InsightRow): InsightRecord {
  return { id: row.id, text: row.text, createdAt: row.created_at.toISOString() };
}

/**
 * Insights in PostgreSQL. A new insight is admitted against the running totals (migration 2's triggers) by
 * save_insight, holding the every-tenant row's lock, so replicas lifting at once stay within the limits together. Search is a
 * case-insensitive substring match, as in every store, answered from the trigram GIN index: it does not read
 * every insight.
 */
export class PostgresInsightStore implements InsightStore {
  constructor(
    private readonly pool: PostgresPool,
    private readonly limits: InsightLimits,
    private readonly quotas?: TenantQuotas,
  ) {}

  async save(
    id: string,
    text: string,
    tenant: string = DEFAULT_TENANT,
  ): Promise<{ record: InsightRecord; created: boolean }> {
    const bytes = Buffer.byteLength(text);
    const { rows } = await this.pool.query<SaveRow>(
      'SELECT * FROM save_insight($1, $2, $3, $4, $5, $6, $7, $8)',
      [
        tenant,
        id,
        text,
        bytes,
        new Date(),
        this.limits.maxInsights,
        this.limits.maxBytes,
        this.quotas?.maxInsights ?? -1,
      ],
    );
    const [saved] = rows;
    if (saved?.outcome === 'full') throw insightStoreFull(this.limits);
    if (saved?.outcome === 'bytes_full') throw insightBytesFull(this.limits, Number(saved.bytes_kept), bytes);
    if (saved?.outcome === 'tenant_full' && this.quotas) throw tenantInsightsFull(this.quotas);
    if (!saved?.kept_text || !saved.kept_at)
      throw new Error(`save_insight answered ${saved?.outcome ?? 'nothing'}`);
    return {
      record: { id, text: saved.kept_text, createdAt: saved.kept_at.toISOString() },
      created: saved.outcome === 'stored',
    };
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
