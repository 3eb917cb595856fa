import {
  AuditRetention,
  tailLimit,
  type AuditRecord,
  type AuditStore,
  type AuditStoreOptions,
  type StoredAuditRecord,
} from '../audit.js';
import { inTransaction, type PostgresPool } from './pool.js';

interface AuditRow {
  readonly seq: string;
  readonly time: Date;
  readonly tenant: string;
  readonly key_id: string | null;
  readonly action: string;
  readonly outcome: string;
  readonly request_id: string | null;
  readonly client: string | null;
  readonly input_bytes: string;
  readonly output_bytes: string;
  readonly count: number;
}

function recordOf(row: AuditRow): StoredAuditRecord {
  return {
    seq: Number(row.seq),
    time: row.time.toISOString(),
    tenant: row.tenant,
    keyId: row.key_id,
    action: row.action,
    outcome: row.outcome,
    requestId: row.request_id,
    client: row.client,
    inputBytes: Number(row.input_bytes),
    outputBytes: Number(row.output_bytes),
    count: row.count,
  };
}

/** The columns a record fills, in the order `append` binds them. */
const COLUMNS = 'time, tenant, key_id, action, outcome, request_id, client, input_bytes, output_bytes, count';
const WIDTH = 10;

/**
 * The audit log in PostgreSQL (migration 3, whose trigger refuses any UPDATE). A batch is one statement in one
 * transaction that also applies retention: the rows more than `maxRecords` seqs behind the newest (found through
 * the primary key, without counting), and, at most once a minute, the rows past the retention time.
 */
export class PostgresAuditStore implements AuditStore {
  private readonly retention: AuditRetention;

  constructor(
    private readonly pool: PostgresPool,
    options: AuditStoreOptions = {},
  ) {
    this.retention = new AuditRetention(options);
  }

  async append(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const cutoff = this.retention.dueCutoff();
    await inTransaction(this.pool, async (client) => {
      for (let first = 0; first < records.length; first += RECORDS_PER_STATEMENT) {
        const { text, values } = insertStatement(records.slice(first, first + RECORDS_PER_STATEMENT));
        await client.query(text, values);
      }
      await client.query('DELETE FROM audit_log WHERE seq <= (SELECT MAX(seq) FROM audit_log) - $1', [
        this.retention.maxRecords,
      ]);
      if (cutoff !== undefined) await client.query('DELETE FROM audit_log WHERE time < $1', [cutoff]);
    });
  }

  async tail(limit: number, afterSeq?: number): Promise<StoredAuditRecord[]> {
    const count = tailLimit(limit);
    if (afterSeq !== undefined) {
      const { rows } = await this.pool.query<AuditRow>(
        'SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2',
        [afterSeq, count],
      );
      return rows.map(recordOf);
    }
    const { rows } = await this.pool.query<AuditRow>('SELECT * FROM audit_log ORDER BY seq DESC LIMIT $1', [
      count,
    ]);
    return rows.map(recordOf).reverse();
  }
}

/** Records one INSERT carries: PostgreSQL binds at most 65,535 parameters to a statement. */
const RECORDS_PER_STATEMENT = 1000;

function insertStatement(records: readonly AuditRecord[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const rows = records.map((record, index) => {
    values.push(
      record.time,
      record.tenant,
      record.keyId,
      record.action,
      record.outcome,
      record.requestId,
      record.client,
      record.inputBytes,
      record.outputBytes,
      record.count,
    );
    const first = index * WIDTH;
    return `(${Array.from({ length: WIDTH }, (_, column) => `$${first + column + 1}`).join(', ')})`;
  });
  return { text: `INSERT INTO audit_log (${COLUMNS}) VALUES ${rows.join(', ')}`, values };
}
