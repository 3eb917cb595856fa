import type {
  PendingTaskChange,
  PendingTaskRecord,
  PendingTaskState,
  PendingTaskStore,
} from '../pending-tasks.js';
import { inTransaction, type PostgresPool } from './pool.js';

interface PendingTaskRow {
  readonly id: string;
  readonly owner: string;
  readonly state: string;
  readonly attempts: number;
  readonly max_attempts: number;
  readonly timeout_ms: string;
  readonly created_at: string;
  readonly started_at: string | null;
  readonly operation: string;
  readonly tenant: string;
  readonly traceparent: string | null;
  readonly params: string;
}

const LEASE =
  'INSERT INTO task_owners (owner, expires_at) VALUES ($1, $2) ON CONFLICT (owner) DO UPDATE ' +
  'SET expires_at = EXCLUDED.expires_at';

function recordOf(row: PendingTaskRow): PendingTaskRecord {
  return {
    id: row.id,
    owner: row.owner,
    state: row.state as PendingTaskState,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    timeoutMs: Number(row.timeout_ms),
    createdAt: Number(row.created_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
    operation: row.operation,
    tenant: row.tenant,
    traceparent: row.traceparent,
    params: row.params,
  };
}

/**
 * Accepted tasks in PostgreSQL (migration 3). Leases are times on each engine's clock (kept close by NTP on hosts
 * sharing a database). A claim locks the orphans it takes (SKIP LOCKED), so two engines looking at once never take
 * the same task and neither waits for the other.
 */
export class PostgresPendingTaskStore implements PendingTaskStore {
  constructor(private readonly pool: PostgresPool) {}

  async add(record: PendingTaskRecord, leaseMs: number): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(LEASE, [record.owner, Date.now() + leaseMs]);
      await client.query(
        'INSERT INTO pending_tasks (id, owner, state, attempts, max_attempts, timeout_ms, created_at, started_at, ' +
          'operation, tenant, traceparent, params) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)',
        [
          record.id,
          record.owner,
          record.state,
          record.attempts,
          record.maxAttempts,
          record.timeoutMs,
          record.createdAt,
          record.startedAt,
          record.operation,
          record.tenant,
          record.traceparent,
          record.params,
        ],
      );
    });
  }

  async update(id: string, change: PendingTaskChange): Promise<void> {
    await this.pool.query(
      'UPDATE pending_tasks SET state = $2, attempts = $3, started_at = $4 WHERE id = $1',
      [id, change.state, change.attempts, change.startedAt],
    );
  }

  async get(id: string): Promise<PendingTaskRecord | undefined> {
    const { rows } = await this.pool.query<PendingTaskRow>('SELECT * FROM pending_tasks WHERE id = $1', [id]);
    return rows[0] && recordOf(rows[0]);
  }

  async remove(id: string): Promise<void> {
    await this.pool.query('DELETE FROM pending_tasks WHERE id = $1', [id]);
  }

  async beat(owner: string, leaseMs: number): Promise<void> {
    await this.pool.query(LEASE, [owner, Date.now() + leaseMs]);
  }

  async release(owner: string): Promise<void> {
    await this.pool.query('UPDATE task_owners SET expires_at = 0 WHERE owner = $1', [owner]);
  }

  claimOrphans(owner: string, leaseMs: number, limit: number): Promise<PendingTaskRecord[]> {
    return inTransaction(this.pool, async (client) => {
      const now = Date.now();
      await client.query(LEASE, [owner, now + leaseMs]);
      const { rows } = await client.query<PendingTaskRow>(
        'UPDATE pending_tasks SET owner = $1 WHERE id IN (' +
          'SELECT id FROM pending_tasks WHERE owner IN (SELECT owner FROM task_owners WHERE expires_at <= $2) ' +
          'ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING *',
        [owner, now, limit],
      );
      // Lapsed engines with nothing left to take over are forgotten; live ones keep their row.
      await client.query(
        'DELETE FROM task_owners WHERE expires_at <= $1 AND NOT EXISTS ' +
          '(SELECT 1 FROM pending_tasks WHERE pending_tasks.owner = task_owners.owner)',
        [now],
      );
      return rows.map(recordOf).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    });
  }
}
