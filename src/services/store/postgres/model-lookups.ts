import type { StoredModelVersion, StoredTotals } from '../model-store.js';
import type { TenantModelTotals } from '../tenancy.js';
import type { Queryable } from './pool.js';

export interface VersionRow {
  readonly id: string;
  readonly tenant: string;
  readonly version: string;
  readonly updated_at: Date;
}

/** The columns of a VersionRow. */
export const VERSION_COLUMNS = 'id, tenant, version, updated_at';

export function versionOf(row: VersionRow): StoredModelVersion {
  return {
    id: row.id,
    tenant: row.tenant,
    version: Number(row.version),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Every tenant's models and parameters, from the running totals (migration 1's trigger). */
export async function modelTotalsOn(client: Queryable): Promise<StoredTotals> {
  const { rows } = await client.query<{ models: string | null; parameters: string | null }>(
    'SELECT SUM(models) AS models, SUM(parameters) AS parameters FROM model_totals',
  );
  return { models: Number(rows[0]?.models ?? 0), parameters: Number(rows[0]?.parameters ?? 0) };
}

export async function tenantModelTotalsOn(client: Queryable, tenant: string): Promise<TenantModelTotals> {
  const { rows } = await client.query<{ models: string; parameters: string }>(
    'SELECT models, parameters FROM model_totals WHERE tenant = $1',
    [tenant],
  );
  return { models: Number(rows[0]?.models ?? 0), parameters: Number(rows[0]?.parameters ?? 0) };
}
