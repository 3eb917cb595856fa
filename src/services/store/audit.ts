/**
 * The most audit records a store keeps: appending beyond deletes the oldest (retention by count), so a busy or
 * hostile caller cannot make the audit log grow without end.
 */
export const MAX_AUDIT_RECORDS = 1_000_000;

/** Records older than this are deleted on an append (checked at most once per AUDIT_PRUNE_INTERVAL_MS). */
export const AUDIT_RETENTION_DAYS = 90;

/** The least time between two deletions of records past AUDIT_RETENTION_DAYS by one store. */
export const AUDIT_PRUNE_INTERVAL_MS = 60_000;

/** The most records one `tail` answers, whatever limit it is asked for. */
export const MAX_AUDIT_TAIL = 10_000;

/**
 * What happened, for whom, and how it ended: one request, or many authentication failures counted together. Only
 * these fields are ever kept: never a payload, a key or a secret, so the audit log itself leaks nothing.
 */
export interface AuditRecord {
  /** ISO 8601: when it happened (for an aggregated record, its first failure). */
  readonly time: string;
  readonly tenant: string;
  /** The API key's id; null when none was presented or it could not be read. */
  readonly keyId: string | null;
  /** The operation's name, or 'authentication'. */
  readonly action: string;
  /** 'ok', or an error code such as 'forbidden' or 'unauthorized'. */
  readonly outcome: string;
  readonly requestId: string | null;
  /** The client's address. */
  readonly client: string | null;
  readonly inputBytes: number;
  readonly outputBytes: number;
  /** 1, or how many failures an aggregated record stands for. */
  readonly count: number;
}

/** A record as stored: `seq` grows with every record appended, so a reader can ask for what came after. */
export interface StoredAuditRecord extends AuditRecord {
  readonly seq: number;
}

/**
 * The audit log: append-only (records are deleted only by retention, MAX_AUDIT_RECORDS and AUDIT_RETENTION_DAYS).
 * Every method may reject with the backend's own error.
 */
export interface AuditStore {
  /** Stores the records, in order, as one write. */
  append(records: readonly AuditRecord[]): Promise<void>;
  /**
   * Newest last. Without `afterSeq`: the last `limit` records. With it: the first `limit` records whose seq is
   * greater, so that a follower asking again after the last seq it read misses nothing. `limit` is capped at
   * MAX_AUDIT_TAIL.
   */
  tail(limit: number, afterSeq?: number): Promise<StoredAuditRecord[]>;
}

/** The bounds of an audit store; tests make them small. */
export interface AuditStoreOptions {
  /** MAX_AUDIT_RECORDS by default. */
  readonly maxRecords?: number;
  /** AUDIT_RETENTION_DAYS by default. */
  readonly retentionDays?: number;
  /** The clock retention reads, in milliseconds since the epoch; Date.now by default. */
  readonly now?: () => number;
}

/**
 * Decides when a store deletes records past their retention: on an append, at most once per
 * AUDIT_PRUNE_INTERVAL_MS, so the deletion's cost is not paid on every write. Shared by the backends.
 */
export class AuditRetention {
  readonly maxRecords: number;
  readonly #retentionMs: number;
  readonly #now: () => number;
  #lastPrune = Number.NEGATIVE_INFINITY;

  constructor(options: AuditStoreOptions = {}) {
    this.maxRecords = options.maxRecords ?? MAX_AUDIT_RECORDS;
    this.#retentionMs = (options.retentionDays ?? AUDIT_RETENTION_DAYS) * 24 * 60 * 60 * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** The ISO time before which records are to be deleted now, or undefined when the last pruning was too recent. */
  dueCutoff(): string | undefined {
    const now = this.#now();
    if (now - this.#lastPrune < AUDIT_PRUNE_INTERVAL_MS) return undefined;
    this.#lastPrune = now;
    return new Date(now - this.#retentionMs).toISOString();
  }
}

/** `limit` as a whole number of records from 0 to MAX_AUDIT_TAIL. */
export function tailLimit(limit: number): number {
  return Number.isNaN(limit) ? 0 : Math.min(MAX_AUDIT_TAIL, Math.max(0, Math.floor(limit)));
}
