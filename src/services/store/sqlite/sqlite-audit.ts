import {
  AuditRetention,
  tailLimit,
  type AuditRecord,
  type AuditStore,
  type AuditStoreOptions,
  type StoredAuditRecord,
} from '../audit.js';
import type { SqliteDatabase } from './database.js';
import { LoopWrites } from './loop-writes.js';

const COLUMNS =
  'seq, time, tenant, key_id AS keyId, action, outcome, request_id AS requestId, client, ' +
  'input_bytes AS inputBytes, output_bytes AS outputBytes, count';

/**
 * The audit log in the embedded store (migration 7, whose trigger refuses any UPDATE). A batch is one immediate
 * transaction that also applies retention: the rows more than `maxRecords` seqs behind the newest (seqs are never
 * reused, so those are at most `maxRecords` rows, found through the primary key without counting), and, at most
 * once a minute, the rows past the retention time (through the index on time).
 */
export class SqliteAuditStore implements AuditStore {
  private readonly statements;
  private readonly retention: AuditRetention;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly writes: LoopWrites = new LoopWrites(),
    options: AuditStoreOptions = {},
  ) {
    this.retention = new AuditRetention(options);
    this.statements = {
      insert: db.prepare(
        'INSERT INTO audit_log (time, tenant, key_id, action, outcome, request_id, client, input_bytes, ' +
          'output_bytes, count) VALUES (@time, @tenant, @keyId, @action, @outcome, @requestId, @client, ' +
          '@inputBytes, @outputBytes, @count)',
      ),
      trim: db.prepare('DELETE FROM audit_log WHERE seq <= (SELECT MAX(seq) FROM audit_log) - ?'),
      expire: db.prepare('DELETE FROM audit_log WHERE time < ?'),
      last: db.prepare(`SELECT ${COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT ?`),
      after: db.prepare(`SELECT ${COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`),
    };
  }

  append(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const { insert, trim, expire } = this.statements;
    const append = this.db.transaction((cutoff: string | undefined) => {
      for (const record of records) insert.run(row(record));
      trim.run(this.retention.maxRecords);
      if (cutoff !== undefined) expire.run(cutoff);
    });
    // Decided once, outside the write, so a try repeated after SQLITE_BUSY still prunes.
    const cutoff = this.retention.dueCutoff();
    return this.writes.run(() => append.immediate(cutoff));
  }

  async tail(limit: number, afterSeq?: number): Promise<StoredAuditRecord[]> {
    const count = tailLimit(limit);
    if (afterSeq !== undefined) return this.statements.after.all(afterSeq, count) as StoredAuditRecord[];
    return (this.statements.last.all(count) as StoredAuditRecord[]).reverse();
  }
}

/** The columns of a record, and only those (a StoredAuditRecord's seq is the table's to give). */
function row(record: AuditRecord): AuditRecord {
  const { time, tenant, keyId, action, outcome, requestId, client, inputBytes, outputBytes, count } = record;
  return { time, tenant, keyId, action, outcome, requestId, client, inputBytes, outputBytes, count };
}
