import type { AnyModel, ModelType } from '../../../core/index.js';
import { DredgeError } from '../../errors.js';
import {
  familyOf,
  registryFullError,
  type ModelRegistry,
  type RegisteredModel,
  type RegistryLimits,
} from '../model-registry.js';
import { RegisteredModelCache, toRecord, type StoredModelRecord } from '../registered-model-cache.js';
import type { TrainingHistory } from '../training-history.js';
import type { SqliteDatabase } from './database.js';

const COLUMNS =
  'id, type, request_config AS requestConfig, state, version, created_at AS createdAt, updated_at AS updatedAt, training';

/**
 * Models in the embedded SQLite store: every change is one transaction (a crash loses at most the change it
 * interrupted), ids come from a counter in the same transaction as the insert, so several processes sharing
 * DATA_DIR never hand out the same id.
 */
export class SqliteModelRegistry implements ModelRegistry {
  private readonly cache: RegisteredModelCache;
  private readonly statements;

  constructor(
    private readonly db: SqliteDatabase,
    readonly limits: RegistryLimits,
  ) {
    this.cache = new RegisteredModelCache(limits.maxModels);
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
      // The parameters and the history of the training that produced them change together, in one statement.
      update: db.prepare(
        'UPDATE models SET state = ?, version = ?, updated_at = ?, training = COALESCE(?, training) WHERE id = ?',
      ),
      remove: db.prepare('DELETE FROM models WHERE id = ?'),
    };
  }

  add(
    type: ModelType,
    model: AnyModel,
    requestConfig: Readonly<Record<string, unknown>>,
  ): Promise<RegisteredModel> {
    const now = new Date();
    const insert = this.db.transaction(() => {
      const totals = this.statements.totals.get() as { models: number; parameters: number };
      const full = registryFullError(this.limits, totals.models, totals.parameters, model.parameterCount);
      if (full) throw new DredgeError('too_large', full);
      const { n } = this.statements.nextId.get(familyOf(type)) as { n: number };
      const registered: RegisteredModel = {
        id: `${type}_${n}`,
        type,
        requestConfig,
        model,
        createdAt: now,
        updatedAt: now,
      };
      const record = toRecord(registered);
      this.statements.insert.run(
        record.id,
        type,
        record.requestConfig,
        record.state,
        record.version,
        model.parameterCount,
        record.createdAt,
        record.updatedAt,
      );
      return registered;
    });
    try {
      return Promise.resolve(this.cache.hold(insert.immediate()));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  get(id: string): Promise<RegisteredModel | undefined> {
    return Promise.resolve(this.getSync(id));
  }

  list(): Promise<RegisteredModel[]> {
    const rows = this.statements.all.all() as Array<{ id: string; version: number; updatedAt: string }>;
    const models = rows.map(
      (row) => this.cache.lookup(row.id, row.version, row.updatedAt) ?? this.getSync(row.id),
    );
    return Promise.resolve(models.filter((model): model is RegisteredModel => model !== undefined));
  }

  update(id: string, model: AnyModel, training?: TrainingHistory): Promise<RegisteredModel> {
    const existing = this.getSync(id);
    if (!existing) return Promise.reject(new DredgeError('not_found', `Model not found: ${id}`));
    const registered: RegisteredModel = {
      ...existing,
      model,
      updatedAt: new Date(),
      training: training ?? existing.training,
    };
    const record = toRecord(registered);
    this.statements.update.run(
      record.state,
      record.version,
      record.updatedAt,
      training ? record.training : null,
      id,
    );
    return Promise.resolve(this.cache.hold(registered));
  }

  delete(id: string): Promise<boolean> {
    this.cache.forget(id);
    return Promise.resolve(this.statements.remove.run(id).changes > 0);
  }

  private getSync(id: string): RegisteredModel | undefined {
    const current = this.statements.versionOf.get(id) as { version: number; updatedAt: string } | undefined;
    if (!current) {
      this.cache.forget(id);
      return undefined;
    }
    const held = this.cache.lookup(id, current.version, current.updatedAt);
    if (held) return held;
    const record = this.statements.one.get(id) as StoredModelRecord | undefined;
    return record ? this.cache.restore(record) : undefined;
  }
}
