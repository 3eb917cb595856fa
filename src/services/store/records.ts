/** An insight lifted on the DREDGE server: its text, under the SHA-256 of the text. */
export interface InsightRecord {
  readonly id: string;
  readonly text: string;
  readonly createdAt: string;
}

export interface InsightPage {
  readonly items: InsightRecord[];
  readonly total: number;
}

/** Lifted insights, bounded by InsightLimits. Saving the same text twice keeps one record (the first). */
export interface InsightStore {
  /**
   * Stores the insight unless one with its id exists; answers the stored record and whether it is new. A new
   * insight that would pass MAX_INSIGHTS or MAX_INSIGHT_BYTES is refused with `too_large` (admitInsight).
   */
  save(id: string, text: string): Promise<{ record: InsightRecord; created: boolean }>;
  get(id: string): Promise<InsightRecord | undefined>;
  /** Newest first; `search` keeps insights whose text contains it (case-insensitive). */
  list(options: { offset: number; limit: number; search?: string }): Promise<InsightPage>;
  delete(id: string): Promise<boolean>;
}

/** Results of finished tasks, each kept until its expiry. */
export interface TaskResultStore {
  put(id: string, result: string, ttlMs: number): Promise<void>;
  get(id: string): Promise<string | undefined>;
  delete(id: string): Promise<boolean>;
}
