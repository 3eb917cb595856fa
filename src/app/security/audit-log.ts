import type { AuditRecord, AuditStore } from '../../services/store/index.js';
import type { Logger } from '../../services/telemetry/index.js';

/** How often buffered records are appended, by default. */
export const AUDIT_FLUSH_MS = 1_000;
/** Records buffered at most, by default: reaching it appends at once; beyond it (a slow store) the oldest go. */
export const AUDIT_MAX_BUFFERED = 1_000;
/** Authentication failures are counted together per key, client and outcome over this long. */
export const AUDIT_FAILURE_WINDOW_MS = 60_000;
/**
 * The most distinct (key, client, outcome) failure counts held in a window; failures beyond are counted in one
 * record per outcome with neither key nor client, so a flood of made-up keys from many addresses stays bounded too.
 */
export const AUDIT_MAX_FAILURE_GROUPS = 1_000;
/** The longest text a record keeps in a field, in UTF-16 units: a request id or address longer is cut. */
export const AUDIT_MAX_FIELD_LENGTH = 256;

/** What a request tells the audit: a record without its count (1), its time (now when left out) optional. */
export type AuditEntry = Omit<AuditRecord, 'count' | 'time'> & { readonly time?: string };

/** An authentication failure: counted with the others of its key, client and outcome in the same minute. */
export interface AuditFailure {
  readonly tenant: string;
  readonly keyId: string | null;
  readonly client: string | null;
  /** The error code, such as 'unauthorized'. */
  readonly outcome: string;
}

export interface AuditLogOptions {
  /** AUDIT_FLUSH_MS by default. */
  readonly flushMs?: number;
  /** AUDIT_MAX_BUFFERED by default. */
  readonly maxBuffered?: number;
  /** AUDIT_MAX_FAILURE_GROUPS by default. */
  readonly maxFailureGroups?: number;
  /** The clock, in milliseconds since the epoch; Date.now by default (tests move it). */
  readonly now?: () => number;
}

/** The failures of one key, client and outcome in one window. */
interface FailureCount {
  readonly window: number;
  readonly first: AuditFailure;
  readonly time: string;
  count: number;
}

const OVERFLOW = 'overflow';

/**
 * Records what requests did into the audit store without making any of them wait or fail: `record` and `failure`
 * only buffer, and batches are appended in the background (every `flushMs`, or as soon as `maxBuffered` records
 * wait). A store that cannot keep up loses the oldest buffered records, counted in a warning; a store that fails
 * loses that batch, also with a warning. Authentication failures are counted per (key, client, outcome) per
 * minute into one record, so a flood of bad keys costs one record a minute per source, not one per request.
 */
export class AuditLog {
  readonly #flushMs: number;
  readonly #maxBuffered: number;
  readonly #maxFailureGroups: number;
  readonly #now: () => number;
  readonly #timer: NodeJS.Timeout;
  #buffer: AuditRecord[] = [];
  /** Records dropped since the last warning. */
  #dropped = 0;
  readonly #failures = new Map<string, FailureCount>();
  /** The append in flight, if any: one at a time, so records reach the store in order. */
  #writing: Promise<void> | undefined;
  #closed = false;

  constructor(
    private readonly store: AuditStore,
    private readonly logger: Logger,
    options: AuditLogOptions = {},
  ) {
    this.#flushMs = options.flushMs ?? AUDIT_FLUSH_MS;
    this.#maxBuffered = Math.max(1, options.maxBuffered ?? AUDIT_MAX_BUFFERED);
    this.#maxFailureGroups = Math.max(1, options.maxFailureGroups ?? AUDIT_MAX_FAILURE_GROUPS);
    this.#now = options.now ?? Date.now;
    // unref: a pending flush never keeps the process alive; close() writes what is left.
    this.#timer = setInterval(() => this.#tick(), this.#flushMs).unref();
  }

  /** Buffers one record (count 1). Never throws; ignored once closed. */
  record(entry: AuditEntry): void {
    if (this.#closed) return;
    try {
      this.#push({
        time: entry.time ?? new Date(this.#now()).toISOString(),
        tenant: cut(entry.tenant),
        keyId: cutOrNull(entry.keyId),
        action: cut(entry.action),
        outcome: cut(entry.outcome),
        requestId: cutOrNull(entry.requestId),
        client: cutOrNull(entry.client),
        inputBytes: size(entry.inputBytes),
        outputBytes: size(entry.outputBytes),
        count: 1,
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'an audit record could not be taken');
    }
  }

  /** Counts an authentication failure with the others of its key, client and outcome this minute. Never throws. */
  failure(entry: AuditFailure): void {
    if (this.#closed) return;
    try {
      const now = this.#now();
      const window = Math.floor(now / AUDIT_FAILURE_WINDOW_MS);
      const failure: AuditFailure = {
        tenant: cut(entry.tenant),
        keyId: cutOrNull(entry.keyId),
        client: cutOrNull(entry.client),
        outcome: cut(entry.outcome),
      };
      let group = JSON.stringify([failure.keyId, failure.client, failure.outcome]);
      let counted = this.#failures.get(group);
      if (counted && counted.window !== window) {
        this.#emit(group, counted);
        counted = undefined;
      }
      if (!counted && this.#failures.size >= this.#maxFailureGroups) {
        group = JSON.stringify([OVERFLOW, failure.outcome]);
        counted = this.#failures.get(group);
        if (counted && counted.window !== window) {
          this.#emit(group, counted);
          counted = undefined;
        }
        if (!counted) {
          // The one group allowed past the bound per outcome: it names neither key nor client.
          counted = { window, first: { ...failure, keyId: null, client: null }, time: iso(now), count: 0 };
          this.#failures.set(group, counted);
        }
      }
      if (!counted) {
        counted = { window, first: failure, time: iso(now), count: 0 };
        this.#failures.set(group, counted);
      }
      counted.count += 1;
    } catch (error) {
      this.logger.warn({ err: error }, 'an authentication failure could not be counted');
    }
  }

  /**
   * Appends everything held, the failures counted so far this minute included (a later failure in the same
   * minute then starts a new count), and resolves once the store has answered. Never rejects.
   */
  async flush(): Promise<void> {
    for (const [group, counted] of this.#failures) this.#emit(group, counted);
    while (this.#writing || this.#buffer.length > 0) {
      await (this.#writing ?? this.#write());
    }
  }

  /** Stops the timer and appends everything held. Records given afterwards are ignored. */
  async close(): Promise<void> {
    if (this.#closed) return this.flush();
    this.#closed = true;
    clearInterval(this.#timer);
    await this.flush();
  }

  /** Every flushMs: the failure counts of past minutes join the buffer, and the buffer is appended. */
  #tick(): void {
    const window = Math.floor(this.#now() / AUDIT_FAILURE_WINDOW_MS);
    for (const [group, counted] of this.#failures) {
      if (counted.window < window) this.#emit(group, counted);
    }
    if (!this.#writing && this.#buffer.length > 0) void this.#write();
  }

  #emit(group: string, counted: FailureCount): void {
    this.#failures.delete(group);
    const { tenant, keyId, client, outcome } = counted.first;
    this.#push({
      time: counted.time,
      tenant,
      keyId,
      action: 'authentication',
      outcome,
      requestId: null,
      client,
      inputBytes: 0,
      outputBytes: 0,
      count: counted.count,
    });
  }

  #push(record: AuditRecord): void {
    if (this.#buffer.length >= this.#maxBuffered) {
      // Only while an append is in flight (otherwise the buffer was written as it filled): the oldest goes.
      this.#buffer.shift();
      this.#dropped += 1;
    }
    this.#buffer.push(record);
    if (this.#buffer.length >= this.#maxBuffered && !this.#writing) void this.#write();
  }

  /** Appends the buffer as one batch; the store's failure is a warning. Only called with no append in flight. */
  #write(): Promise<void> {
    const batch = this.#buffer;
    this.#buffer = [];
    if (this.#dropped > 0) {
      this.logger.warn(
        { dropped: this.#dropped },
        'audit records dropped: the store did not keep up with the requests',
      );
      this.#dropped = 0;
    }
    const writing = new Promise<void>((resolve) => resolve(this.store.append(batch)))
      .catch((error: unknown) => {
        this.logger.warn({ err: error, records: batch.length }, 'audit records could not be stored');
      })
      .finally(() => {
        this.#writing = undefined;
        // What filled up meanwhile goes at once rather than waiting for the timer.
        if (this.#buffer.length >= this.#maxBuffered) void this.#write();
      });
    this.#writing = writing;
    return writing;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function cut(text: string): string {
  return text.length > AUDIT_MAX_FIELD_LENGTH ? text.slice(0, AUDIT_MAX_FIELD_LENGTH) : text;
}

function cutOrNull(text: string | null): string | null {
  return text === null ? null : cut(text);
}

/** A byte count as a whole number of at least 0 (anything else counts 0). */
function size(bytes: number): number {
  return Number.isFinite(bytes) && bytes > 0 ? Math.floor(bytes) : 0;
}
