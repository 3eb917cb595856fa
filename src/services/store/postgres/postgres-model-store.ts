import type { DatabaseSettings } from '../../../config/index.js';
import { useSharedTensors } from '../../compute/shared-tensors.js';
import type {
  ModelStore,
  NewStoredModel,
  StoredModelChange,
  StoredModelRecord,
  StoredModelVersion,
  StoredTotals,
} from '../model-store.js';
import { StoreThread, threadScript } from '../store-thread.js';
import type { TenantModelTotals } from '../tenancy.js';
import {
  modelTotalsOn,
  tenantModelTotalsOn,
  VERSION_COLUMNS,
  versionOf,
  type VersionRow,
} from './model-lookups.js';
import type { ModelThreadCalls, ModelThreadData } from './model-thread-protocol.js';
import type { PostgresPool } from './pool.js';

/**
 * Models in PostgreSQL, shared by every replica: a row of facts per model and its values in binary chunks
 * (model_values, see model-values.ts). What carries values (insert, read, update) runs on the store's own thread
 * (model-thread.ts, PostgresModelRows) with connections of its own; the quick lookups every use makes (a model's
 * version, the totals) and removals run here, on the pool given.
 */
export class PostgresModelStore implements ModelStore {
  readonly name = 'PostgreSQL';
  private readonly thread: StoreThread<ModelThreadCalls>;

  /** `pool`: the event loop's connections; `threadDatabase`: how the thread makes its own. */
  constructor(
    private readonly pool: PostgresPool,
    threadDatabase: DatabaseSettings & { readonly url: string },
  ) {
    // Models this process makes live in shared memory from now on, so the thread reads them where they lie.
    useSharedTensors();
    this.thread = new StoreThread<ModelThreadCalls>(
      threadScript(import.meta.url, 'model-thread'),
      { database: threadDatabase } satisfies ModelThreadData,
      'PostgreSQL',
    );
  }

  totals(): Promise<StoredTotals> {
    return modelTotalsOn(this.pool);
  }

  tenantTotals(tenant: string): Promise<TenantModelTotals> {
    return tenantModelTotalsOn(this.pool, tenant);
  }

  insert(model: NewStoredModel): Promise<string> {
    return this.thread.call('insert', model);
  }

  async versionOf(id: string, tenant?: string): Promise<StoredModelVersion | undefined> {
    const { rows } = await this.pool.query<VersionRow>(
      tenant === undefined
        ? `SELECT ${VERSION_COLUMNS} FROM models WHERE id = $1`
        : `SELECT ${VERSION_COLUMNS} FROM models WHERE id = $1 AND tenant = $2`,
      tenant === undefined ? [id] : [id, tenant],
    );
    return rows[0] && versionOf(rows[0]);
  }

  async versions(tenant?: string): Promise<StoredModelVersion[]> {
    const { rows } = await this.pool.query<VersionRow>(
      tenant === undefined
        ? `SELECT ${VERSION_COLUMNS} FROM models ORDER BY created_at, id`
        : `SELECT ${VERSION_COLUMNS} FROM models WHERE tenant = $1 ORDER BY created_at, id`,
      tenant === undefined ? [] : [tenant],
    );
    return rows.map(versionOf);
  }

  read(id: string): Promise<StoredModelRecord | undefined> {
    return this.thread.call('read', id);
  }

  update(id: string, change: StoredModelChange): Promise<void> {
    return this.thread.call('update', { id, change });
  }

  async olderVersions(id: string): Promise<number[]> {
    const { rows } = await this.pool.query<{ version: string }>(
      'SELECT version FROM model_versions WHERE model_id = $1 ORDER BY version DESC',
      [id],
    );
    return rows.map((row) => Number(row.version));
  }

  readVersion(id: string, version: number): Promise<StoredModelRecord | undefined> {
    return this.thread.call('readVersion', { id, version });
  }

  rollback(id: string, version: number, updatedAt: string): Promise<boolean> {
    return this.thread.call('rollback', { id, version, updatedAt });
  }

  /** Its older versions and every value go with it (ON DELETE CASCADE), in the same statement. */
  async remove(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM models WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }

  /** Ends the thread's connections, then the thread; the pool given is the caller's. */
  async close(): Promise<void> {
    await this.thread.call('close', undefined).catch(() => undefined);
    await this.thread.close();
  }
}
