import { allocateTensor, float64FromBytes } from '../../../core/index.js';
import { asBuffer, BINARY_STATE_FORMAT, TEXT_STATE_FORMAT, type StoredModelState } from '../model-state.js';
import {
  modelId,
  type NewStoredModel,
  type StoredModelChange,
  type StoredModelRecord,
  type StoredTotals,
} from '../model-store.js';
import { admitWithinLimits } from '../registry-limits.js';
import { admitWithinQuota, type TenantModelTotals } from '../tenancy.js';
import type { SqliteDatabase } from './database.js';

interface ModelRow {
  readonly id: string;
  readonly tenant: string;
  readonly type: StoredModelRecord['type'];
  readonly requestConfig: string;
  readonly state: string;
  readonly stateFormat: number;
  readonly parameters: Buffer | null;
  readonly buffers: Buffer | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly training: string | null;
}

const COLUMNS =
  'id, tenant, type, request_config AS requestConfig, state, state_format AS stateFormat, version, ' +
  'created_at AS createdAt, updated_at AS updatedAt, training, parameters, buffers';

/** A kept older version as a ModelRow: the model's facts (m) with the version's state, number and times (v). */
const VERSION_COLUMNS =
  'm.id AS id, m.tenant AS tenant, m.type AS type, m.request_config AS requestConfig, v.state AS state, ' +
  'v.state_format AS stateFormat, v.version AS version, m.created_at AS createdAt, v.updated_at AS updatedAt, ' +
  'v.training AS training, v.parameters AS parameters, v.buffers AS buffers';

/**
 * The model rows' writes and full reads: the statements that carry a model's values, which the SQLite store runs on
 * its own thread (see ModelThread) so that writing or reading megabytes never holds the event loop. Each write is
 * one transaction; an insert's admission, number and row share one, so processes sharing DATA_DIR never hand out
 * one id twice nor pass the limits together.
 */
export class ModelRows {
  private readonly statements;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = {
      // Running totals kept by triggers (migration 3): no model row is read to admit a new one.
      totals: db.prepare('SELECT models, parameters FROM model_totals WHERE id = 1'),
      tenantTotals: db.prepare('SELECT models, parameters FROM tenant_model_totals WHERE tenant = ?'),
      nextId: db.prepare(
        'INSERT INTO id_counters (family, next) VALUES (?, 1) ON CONFLICT (family) DO UPDATE SET next = next + 1 RETURNING next - 1 AS n',
      ),
      insert: db.prepare(
        'INSERT INTO models (id, tenant, type, request_config, state, state_format, parameters, buffers, version, n_parameters, created_at, updated_at) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      one: db.prepare(`SELECT ${COLUMNS} FROM models WHERE id = ?`),
      update: db.prepare(
        'UPDATE models SET state = ?, state_format = ?, parameters = ?, buffers = ?, version = ?, updated_at = ?, ' +
          'training = COALESCE(?, training) WHERE id = ?',
      ),
      remove: db.prepare('DELETE FROM models WHERE id = ?'),
      currentVersion: db.prepare('SELECT version FROM models WHERE id = ?').pluck(),
      // survivesUpdate, in SQL: versions newer than the current one (left by a rollback) or not older than the new
      // one are dropped.
      dropAbandoned: db.prepare(
        'DELETE FROM model_versions WHERE model_id = ? AND (version > ? OR version >= ?)',
      ),
      keepCurrent: db.prepare(
        'INSERT OR REPLACE INTO model_versions (model_id, version, updated_at, training, state_format, state, ' +
          'parameters, buffers) SELECT id, version, updated_at, training, state_format, state, parameters, buffers ' +
          'FROM models WHERE id = ?',
      ),
      dropOldest: db.prepare(
        'DELETE FROM model_versions WHERE model_id = ? AND version NOT IN ' +
          '(SELECT version FROM model_versions WHERE model_id = ? ORDER BY version DESC LIMIT ?)',
      ),
      oneVersion: db.prepare(
        `SELECT ${VERSION_COLUMNS} FROM model_versions v JOIN models m ON m.id = v.model_id ` +
          'WHERE v.model_id = ? AND v.version = ?',
      ),
      // The kept version's values move into the model's row inside SQLite: no byte of them passes through here.
      makeCurrent: db.prepare(
        'UPDATE models SET (state, state_format, parameters, buffers, version, training) = ' +
          '(SELECT state, state_format, parameters, buffers, version, training FROM model_versions ' +
          'WHERE model_id = ? AND version = ?), updated_at = ? WHERE id = ?',
      ),
      dropVersion: db.prepare('DELETE FROM model_versions WHERE model_id = ? AND version = ?'),
      hasVersion: db.prepare('SELECT 1 FROM model_versions WHERE model_id = ? AND version = ?').pluck(),
      removeVersions: db.prepare('DELETE FROM model_versions WHERE model_id = ?'),
    };
  }

  insert(model: NewStoredModel): string {
    const { totals, tenantTotals, nextId, insert } = this.statements;
    const { record } = model;
    return this.db
      .transaction(() => {
        admitWithinLimits(
          model.limits,
          (totals.get() as StoredTotals | undefined) ?? { models: 0, parameters: 0 },
          model.parameterCount,
        );
        if (model.quotas) {
          admitWithinQuota(
            model.quotas,
            (tenantTotals.get(record.tenant) as TenantModelTotals | undefined) ?? {
              models: 0,
              parameters: 0,
            },
            model.parameterCount,
          );
        }
        const id = model.id ?? modelId(record.type, (nextId.get(model.family) as { n: number }).n);
        insert.run(
          id,
          record.tenant,
          record.type,
          record.requestConfig,
          record.state.header,
          record.state.format,
          asBuffer(record.state.parameters),
          asBuffer(record.state.buffers),
          record.version,
          model.parameterCount,
          record.createdAt,
          record.updatedAt,
        );
        return id;
      })
      .immediate();
  }

  read(id: string): StoredModelRecord | undefined {
    const row = this.statements.one.get(id) as ModelRow | undefined;
    if (!row) return undefined;
    const { stateFormat, state, parameters, buffers, ...facts } = row;
    return { ...facts, state: stateOf(stateFormat, state, parameters, buffers) };
  }

  /** The new state, and the one it replaces kept as an older version (see ModelStore.update), in one transaction. */
  update(id: string, change: StoredModelChange): void {
    const { state } = change;
    const { currentVersion, dropAbandoned, keepCurrent, dropOldest, update } = this.statements;
    this.db
      .transaction(() => {
        const current = currentVersion.get(id) as number | undefined;
        if (current === undefined) return;
        dropAbandoned.run(id, current, change.version);
        if (change.versionsKept > 1 && current < change.version) keepCurrent.run(id);
        dropOldest.run(id, id, Math.max(0, change.versionsKept - 1));
        update.run(
          state.header,
          state.format,
          asBuffer(state.parameters),
          asBuffer(state.buffers),
          change.version,
          change.updatedAt,
          change.training ?? null,
          id,
        );
      })
      .immediate();
  }

  readVersion(id: string, version: number): StoredModelRecord | undefined {
    const row = this.statements.oneVersion.get(id, version) as ModelRow | undefined;
    if (!row) return undefined;
    const { stateFormat, state, parameters, buffers, ...facts } = row;
    return { ...facts, state: stateOf(stateFormat, state, parameters, buffers) };
  }

  /** Swaps the kept `version` and the current state, in one transaction; false when that version is not kept. */
  rollback(id: string, version: number, updatedAt: string): boolean {
    const { currentVersion, hasVersion, keepCurrent, makeCurrent, dropVersion } = this.statements;
    return this.db
      .transaction(() => {
        const current = currentVersion.get(id) as number | undefined;
        if (current === undefined || hasVersion.get(id, version) === undefined) return false;
        if (current === version) return true;
        keepCurrent.run(id);
        makeCurrent.run(id, version, updatedAt, id);
        dropVersion.run(id, version);
        return true;
      })
      .immediate();
  }

  remove(id: string): boolean {
    const { removeVersions, remove } = this.statements;
    return this.db
      .transaction(() => {
        removeVersions.run(id);
        return remove.run(id).changes > 0;
      })
      .immediate();
  }
}

function stateOf(
  format: number,
  state: string,
  parameters: Buffer | null,
  buffers: Buffer | null,
): StoredModelState {
  if (format !== BINARY_STATE_FORMAT) return { format: TEXT_STATE_FORMAT, text: state };
  return { format, header: state, parameters: values(parameters), buffers: values(buffers) };
}

/**
 * The bytes as values in memory from the thread's allocator (shared memory for large ones), so the event loop
 * adopts them without a copy; bytes that are not whole values are passed on for the reader to refuse.
 */
function values(bytes: Buffer | null): Float64Array | Uint8Array {
  const stored = bytes ?? new Uint8Array(0);
  const length = stored.byteLength / 8;
  if (!Number.isInteger(length)) return stored;
  return float64FromBytes(stored, length, allocateTensor(length)) ?? stored;
}
