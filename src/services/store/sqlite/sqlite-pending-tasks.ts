import type { PendingTaskChange, PendingTaskRecord, PendingTaskStore } from '../pending-tasks.js';
import type { SqliteDatabase } from './database.js';
import { LoopWrites } from './loop-writes.js';

const COLUMNS =
  'id, owner, state, attempts, max_attempts AS maxAttempts, timeout_ms AS timeoutMs, created_at AS createdAt, ' +
  'started_at AS startedAt, operation, tenant, traceparent, params';

/**
 * Accepted tasks in the embedded store (migration 4). Leases are times on this machine's clock, which every process
 * sharing DATA_DIR shares. A claim is one immediate transaction, so two engines looking at once never take the
 * same task.
 */
export class SqlitePendingTaskStore implements PendingTaskStore {
  private readonly statements;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly writes: LoopWrites = new LoopWrites(),
  ) {
    this.statements = {
      lease: db.prepare(
        'INSERT INTO task_owners (owner, expires_at) VALUES (?, ?) ON CONFLICT (owner) DO UPDATE SET expires_at = excluded.expires_at',
      ),
      insert: db.prepare(
        'INSERT INTO pending_tasks (id, owner, state, attempts, max_attempts, timeout_ms, created_at, started_at, operation, tenant, traceparent, params) ' +
          'VALUES (@id, @owner, @state, @attempts, @maxAttempts, @timeoutMs, @createdAt, @startedAt, @operation, @tenant, @traceparent, @params)',
      ),
      update: db.prepare(
        'UPDATE pending_tasks SET state = @state, attempts = @attempts, started_at = @startedAt WHERE id = @id',
      ),
      one: db.prepare(`SELECT ${COLUMNS} FROM pending_tasks WHERE id = ?`),
      remove: db.prepare('DELETE FROM pending_tasks WHERE id = ?'),
      release: db.prepare('UPDATE task_owners SET expires_at = 0 WHERE owner = ?'),
      orphans: db.prepare(
        'SELECT id FROM pending_tasks WHERE owner IN (SELECT owner FROM task_owners WHERE expires_at <= ?) ' +
          'ORDER BY created_at, id LIMIT ?',
      ),
      take: db.prepare('UPDATE pending_tasks SET owner = ? WHERE id = ?'),
      // Lapsed engines with nothing left to take over are forgotten; live ones keep their row.
      forget: db.prepare(
        'DELETE FROM task_owners WHERE expires_at <= ? AND NOT EXISTS ' +
          '(SELECT 1 FROM pending_tasks WHERE pending_tasks.owner = task_owners.owner)',
      ),
    };
  }

  add(record: PendingTaskRecord, leaseMs: number): Promise<void> {
    const { lease, insert } = this.statements;
    const add = this.db.transaction(() => {
      lease.run(record.owner, Date.now() + leaseMs);
      insert.run(record);
    });
    return this.writes.run(() => add.immediate());
  }

  async update(id: string, change: PendingTaskChange): Promise<void> {
    await this.writes.run(() => this.statements.update.run({ id, ...change }));
  }

  async get(id: string): Promise<PendingTaskRecord | undefined> {
    return this.statements.one.get(id) as PendingTaskRecord | undefined;
  }

  async remove(id: string): Promise<void> {
    await this.writes.run(() => this.statements.remove.run(id));
  }

  async beat(owner: string, leaseMs: number): Promise<void> {
    await this.writes.run(() => this.statements.lease.run(owner, Date.now() + leaseMs));
  }

  async release(owner: string): Promise<void> {
    await this.writes.run(() => this.statements.release.run(owner));
  }

  async claimOrphans(owner: string, leaseMs: number, limit: number): Promise<PendingTaskRecord[]> {
    const { lease, orphans, take, one, forget } = this.statements;
    const claim = this.db.transaction(() => {
      const now = Date.now();
      lease.run(owner, now + leaseMs);
      const ids = (orphans.all(now, limit) as Array<{ id: string }>).map((row) => row.id);
      for (const id of ids) take.run(owner, id);
      forget.run(now);
      return ids.map((id) => one.get(id) as PendingTaskRecord);
    });
    return this.writes.run(() => claim.immediate());
  }
}
