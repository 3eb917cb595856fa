import type {
  ModelStore,
  NewStoredModel,
  StoredModelChange,
  StoredModelRecord,
  StoredModelVersion,
  StoredTotals,
} from '../model-store.js';
import type { SqliteDatabase } from './database.js';

const COLUMNS =
  'id, type, request_config AS requestConfig, state, version, created_at AS createdAt, updated_at AS updatedAt, training';

/**
 * Models in the embedded SQLite store. Every change is one transaction, so a crash loses at most the change it
 * interrupted; a new model's admission, id and insert share one, so several processes sharing DATA_DIR never hand
 * out the same id nor pass the limits together.
 */
export class SqliteModelStore implements ModelStore {
  readonly name = 'SQLite';
  private readonly statements;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = {
      totals: db.prepare(
        'SELECT COUNT(*) AS models, COALESCE(SUM(n_parameters), 0) AS parameters FROM models',
      ),
      nextId: db.prepare(
        'INSERT INTO id_counters (family, next) VALUES (?, 1) ON CONFLICT (family) DO UPDATE SET next = next + 1 RETURNING next - 1 AS n',
      ),
      insert: db.prepare(
        'INSERT INTO models (id, type, request_config, state, version, n_parameters, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      versionOf: db.prepare('SELECT version, updated_at AS updatedAt FROM models WHERE id = ?'),
      one: db.prepare(`SELECT ${COLUMNS} FROM models WHERE id = ?`),
      all: db.prepare(`SELECT id, version, updated_at AS updatedAt FROM models ORDER BY created_at, id`),
      update: db.prepare(
        'UPDATE models SET state = ?, version = ?, updated_at = ?, training = COALESCE(?, training) WHERE id = ?',
      ),
      remove: db.prepare('DELETE FROM models WHERE id = ?'),
    };
  }

  async insert(model: NewStoredModel): Promise<number> {
    const { totals, nextId, insert } = this.statements;
    return this.db
      .transaction(() => {
        model.admit(totals.get() as StoredTotals);
        const { n } = nextId.get(model.family) as { n: number };
        const record = model.recordFor(n);
        insert.run(
          record.id,
          record.type,
          record.requestConfig,
          record.state,
          record.version,
          model.parameterCount,
          record.createdAt,
          record.updatedAt,
        );
        return n;
      })
      .immediate();
  }

  async versionOf(id: string): Promise<StoredModelVersion | undefined> {
    const row = this.statements.versionOf.get(id) as Omit<StoredModelVersion, 'id'> | undefined;
    return row && { id, ...row };
  }

  async versions(): Promise<StoredModelVersion[]> {
    return this.statements.all.all() as StoredModelVersion[];
  }

  async read(id: string): Promise<StoredModelRecord | undefined> {
    return this.statements.one.get(id) as StoredModelRecord | undefined;
  }

  async update(id: string, change: StoredModelChange): Promise<void> {
    this.statements.update.run(change.state, change.version, change.updatedAt, change.training ?? null, id);
  }

  async remove(id: string): Promise<boolean> {
    return this.statements.remove.run(id).changes > 0;
  }
}
