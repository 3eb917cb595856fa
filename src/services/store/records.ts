/** An insight lifted on the DREDGE server: its text, under the SHA-256 of its tenant and text (see insightId). */
export interface InsightRecord {
  readonly id: string;
  readonly text: string;
  readonly createdAt: string;
}

export interface InsightPage {
  readonly items: InsightRecord[];
  readonly total: number;
}

/** A page of a tenant's insights, newest first, optionally only those whose text holds `search`. */
export interface InsightQuery {
  readonly offset: number;
  readonly limit: number;
  readonly search?: string;
  readonly tenant?: string;
}

/**
 * Lifted insights, bounded by InsightLimits (and, with MULTI_TENANT_ENABLED, each tenant by TENANT_MAX_INSIGHTS).
 * Saving the same text twice keeps one record (the first). Every method works within one tenant (the default
 * one when none is named): another tenant's insights are never found, listed, counted or deleted.
 */
export interface InsightStore {
  /**
   * Stores the insight unless one with its id exists in the tenant; answers the stored record and whether it is
   * new. A new insight that would pass MAX_INSIGHTS or MAX_INSIGHT_BYTES is refused with `too_large`
   * (admitInsight), as is one past its tenant's TENANT_MAX_INSIGHTS.
   */
  save(id: string, text: string, tenant?: string): Promise<{ record: InsightRecord; created: boolean }>;
  get(id: string, tenant?: string): Promise<InsightRecord | undefined>;
  /** Newest first; `search` keeps insights whose text contains it (case-insensitive). */
  list(query: InsightQuery): Promise<InsightPage>;
  delete(id: string, tenant?: string): Promise<boolean>;
}

/**
 * Results of finished tasks, each kept until its expiry, with the tenant of its task (the default one when none
 * is named). Task ids are random UUIDs; `get` with a tenant finds only that tenant's, without one any (the
 * process's own bookkeeping).
 */
export interface TaskResultStore {
  put(id: string, result: string, ttlMs: number, tenant?: string): Promise<void>;
  get(id: string, tenant?: string): Promise<string | undefined>;
  delete(id: string): Promise<boolean>;
}
