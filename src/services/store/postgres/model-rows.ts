import type { ModelType } from '../../../core/index.js';
import { BINARY_STATE_FORMAT } from '../model-state.js';
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
        return {
          ...versionOf(row),
          type: row.type as ModelType,
          requestConfig: row.request_config,
          state: { format: BINARY_STATE_FORMAT, header: row.state_header, parameters, buffers },
          createdAt: row.created_at.toISOString(),
          training: row.training,
        };
      },
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }

  async update(id: string, change: StoredModelChange): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      // The row lock orders two trainings of one model finishing at once: the later write wins whole.
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
