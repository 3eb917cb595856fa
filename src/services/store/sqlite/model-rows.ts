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

  update(id: string, change: StoredModelChange): void {
    const { state } = change;
    this.statements.update.run(
      state.header,
      state.format,
      asBuffer(state.parameters),
      asBuffer(state.buffers),
      change.version,
      change.updatedAt,
      change.training ?? null,
      id,
    );
  }

  remove(id: string): boolean {
    return this.statements.remove.run(id).changes > 0;
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
