import type { ModelType } from '../../../core/index.js';
import { BINARY_STATE_FORMAT, type StoredValues } from '../model-state.js';
import {
  modelId,
  type NewStoredModel,
  type StoredModelChange,
  type StoredModelRecord,
} from '../model-store.js';
import { admitWithinLimits } from '../registry-limits.js';
import { admitWithinQuota } from '../tenancy.js';
import { BUFFERS_PART, PARAMETERS_PART, readValues, writeValues } from './model-values.js';
import { modelTotalsOn, tenantModelTotalsOn, versionOf, type VersionRow } from './model-lookups.js';
import { inTransaction, type PostgresClient, type PostgresPool } from './pool.js';

/**
 * The transaction-level advisory lock every new model takes before it reads the totals, so concurrent load_model
 * calls on every replica are admitted one after the other and stay within MAX_MODELS and the quotas together.
 */
const MODEL_ADMISSION_LOCK = 0x64726564_6d6f646cn;

interface ModelRow extends VersionRow {
  readonly type: string;
  readonly request_config: string;
  readonly created_at: Date;
  readonly state_header: string;
  readonly parameter_bytes: string;
  readonly buffer_bytes: string;
  readonly training: string | null;
}

/**
 * The statements that carry a model's values: run on the PostgreSQL store's own thread (model-thread.ts), with
 * its own connections, so that megabytes of values are sent, received and decoded off the event loop. Every change
 * is one transaction, so a replica killed in the middle of one leaves the model as it was; a read sees one
 * snapshot, so it never mixes two versions' values.
 */
export class PostgresModelRows {
  constructor(private readonly pool: PostgresPool) {}

  insert(model: NewStoredModel): Promise<string> {
    const { state, ...facts } = model.record;
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MODEL_ADMISSION_LOCK.toString()]);
      const [totals, tenantTotals] = [
        await modelTotalsOn(client),
        model.quotas ? await tenantModelTotalsOn(client, facts.tenant) : undefined,
      ];
      admitWithinLimits(model.limits, totals, model.parameterCount);
      if (tenantTotals) admitWithinQuota(model.quotas, tenantTotals, model.parameterCount);
      const id = model.id ?? modelId(facts.type, await nextNumber(client, model.family));
      await client.query(
        'INSERT INTO models (id, tenant, type, request_config, version, n_parameters, created_at, updated_at, ' +
          'state_header, parameter_bytes, buffer_bytes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
        [
          id,
          facts.tenant,
          facts.type,
          facts.requestConfig,
          facts.version,
          model.parameterCount,
          facts.createdAt,
          facts.updatedAt,
          state.header,
          state.parameters.byteLength,
          state.buffers.byteLength,
        ],
      );
      await writeValues(client, id, PARAMETERS_PART, state.parameters);
      await writeValues(client, id, BUFFERS_PART, state.buffers);
      return id;
    });
  }

  read(id: string): Promise<StoredModelRecord | undefined> {
    return inTransaction(
      this.pool,
      async (client) => {
        const { rows } = await client.query<ModelRow>('SELECT * FROM models WHERE id = $1', [id]);
        const row = rows[0];
        if (!row) return undefined;
        const parameters = await readValues(client, id, PARAMETERS_PART, Number(row.parameter_bytes));
        const buffers = await readValues(client, id, BUFFERS_PART, Number(row.buffer_bytes));
        return recordOf(row, parameters, buffers);
      },
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }

  readVersion(id: string, version: number): Promise<StoredModelRecord | undefined> {
    return inTransaction(
      this.pool,
      async (client) => {
        const { rows } = await client.query<ModelRow>(
          'SELECT m.id, m.tenant, m.type, m.request_config, m.created_at, v.version, v.updated_at, ' +
            'v.state_header, v.parameter_bytes, v.buffer_bytes, v.training FROM model_versions v ' +
            'JOIN models m ON m.id = v.model_id WHERE v.model_id = $1 AND v.version = $2',
          [id, version],
        );
        const row = rows[0];
        if (!row) return undefined;
        const parameters = await readValues(
          client,
          id,
          PARAMETERS_PART,
          Number(row.parameter_bytes),
          version,
        );
        const buffers = await readValues(client, id, BUFFERS_PART, Number(row.buffer_bytes), version);
        return recordOf(row, parameters, buffers);
      },
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }

  /**
   * Swaps the kept `version` and the current state in one transaction, inside PostgreSQL (no value crosses to this
   * replica); false, changing nothing, when that version is not kept.
   */
  rollback(id: string, version: number, updatedAt: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ version: string }>(
        'SELECT version FROM models WHERE id = $1 FOR UPDATE',
        [id],
      );
      if (!rows[0]) return false;
      const kept = await client.query('SELECT 1 FROM model_versions WHERE model_id = $1 AND version = $2', [
        id,
        version,
      ]);
      if (!kept.rowCount) return false;
      if (Number(rows[0].version) === version) return true;
      await keepCurrent(client, id);
      await client.query(
        'UPDATE models m SET version = v.version, updated_at = $3, state_header = v.state_header, ' +
          'parameter_bytes = v.parameter_bytes, buffer_bytes = v.buffer_bytes, training = v.training ' +
          'FROM model_versions v WHERE m.id = $1 AND v.model_id = $1 AND v.version = $2',
        [id, version, updatedAt],
      );
      await client.query('DELETE FROM model_values WHERE model_id = $1', [id]);
      await client.query(
        'INSERT INTO model_values (model_id, part, chunk, bytes) SELECT model_id, part, chunk, bytes ' +
          'FROM model_version_values WHERE model_id = $1 AND version = $2',
        [id, version],
      );
      await client.query('DELETE FROM model_versions WHERE model_id = $1 AND version = $2', [id, version]);
      return true;
    });
  }

  async update(id: string, change: StoredModelChange): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      // The row lock orders two trainings of one model finishing at once (and a rollback): the later write wins whole.
      const { rows } = await client.query<{ version: string }>(
        'SELECT version FROM models WHERE id = $1 FOR UPDATE',
        [id],
      );
      if (!rows[0]) return;
      const current = Number(rows[0].version);
      // survivesUpdate, in SQL: versions newer than the current one (left by a rollback) or not older than the new
      // one are dropped.
      await client.query(
        'DELETE FROM model_versions WHERE model_id = $1 AND (version > $2 OR version >= $3)',
        [id, current, change.version],
      );
      if (change.versionsKept > 1 && current < change.version) await keepCurrent(client, id);
      await client.query(
        'DELETE FROM model_versions WHERE model_id = $1 AND version NOT IN ' +
          '(SELECT version FROM model_versions WHERE model_id = $1 ORDER BY version DESC LIMIT $2)',
        [id, Math.max(0, change.versionsKept - 1)],
      );
      const { rowCount } = await client.query(
        'UPDATE models SET version = $2, updated_at = $3, state_header = $4, parameter_bytes = $5, ' +
          'buffer_bytes = $6, training = COALESCE($7, training) WHERE id = $1',
        [
          id,
          change.version,
          change.updatedAt,
          change.state.header,
          change.state.parameters.byteLength,
          change.state.buffers.byteLength,
          change.training ?? null,
        ],
      );
      if (!rowCount) return;
      await client.query('DELETE FROM model_values WHERE model_id = $1', [id]);
      await writeValues(client, id, PARAMETERS_PART, change.state.parameters);
      await writeValues(client, id, BUFFERS_PART, change.state.buffers);
    });
  }
}

function recordOf(row: ModelRow, parameters: StoredValues, buffers: StoredValues): StoredModelRecord {
  return {
    ...versionOf(row),
    type: row.type as ModelType,
    requestConfig: row.request_config,
    state: { format: BINARY_STATE_FORMAT, header: row.state_header, parameters, buffers },
    createdAt: row.created_at.toISOString(),
    training: row.training,
  };
}

/**
 * Copies the model's current row and values into model_versions, inside PostgreSQL (no byte of the values crosses
 * to this replica), on the transaction's connection, which holds the model's row lock.
 */
async function keepCurrent(client: PostgresClient, id: string): Promise<void> {
  await client.query(
    'INSERT INTO model_versions (model_id, version, updated_at, state_header, parameter_bytes, buffer_bytes, ' +
      'training) SELECT id, version, updated_at, state_header, parameter_bytes, buffer_bytes, training ' +
      'FROM models WHERE id = $1',
    [id],
  );
  await client.query(
    'INSERT INTO model_version_values (model_id, version, part, chunk, bytes) ' +
      'SELECT v.model_id, m.version, v.part, v.chunk, v.bytes FROM model_values v JOIN models m ON m.id = v.model_id ' +
      'WHERE v.model_id = $1',
    [id],
  );
}

/** The family's next number, drawn in the inserting transaction: a number is never given twice. */
async function nextNumber(client: PostgresClient, family: string): Promise<number> {
  const { rows } = await client.query<{ next: string }>(
    'INSERT INTO id_counters (family, next) VALUES ($1, 1) ON CONFLICT (family) DO UPDATE ' +
      'SET next = id_counters.next + 1 RETURNING next',
    [family],
  );
  const [drawn] = rows;
  if (!drawn) throw new Error(`no number drawn for the ${family} family`);
  return Number(drawn.next) - 1;
}
