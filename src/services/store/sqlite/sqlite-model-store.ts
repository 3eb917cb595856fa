import { useSharedTensors } from '../../compute/shared-tensors.js';
import type {
  ModelStore,
  NewStoredModel,
  StoredModelChange,
  StoredModelRecord,
  StoredModelVersion,
  StoredTotals,
} from '../model-store.js';
import type { TenantModelTotals } from '../tenancy.js';
import type { SqliteDatabase } from './database.js';
import { StoreThread, threadScript } from '../store-thread.js';
import type { ModelThreadCalls, ModelThreadData } from './model-thread-protocol.js';

/**
 * Models in the embedded SQLite store. A model's values are written and read on the store's own thread, with its
 * own connection to the same file (ModelRows, ModelThread), so megabytes of values never hold the event loop; the
 * quick lookups every use makes (its version) run here, on the connection given. Every change is one transaction,
 * so a crash loses at most the change it interrupted.
 */
export class SqliteModelStore implements ModelStore {
  readonly name = 'SQLite';
  private readonly statements;
  private readonly thread: StoreThread<ModelThreadCalls>;

  constructor(private readonly db: SqliteDatabase) {
    // Models this process makes live in shared memory from now on, so the thread reads them where they lie.
    useSharedTensors();
    this.thread = new StoreThread<ModelThreadCalls>(
      threadScript(import.meta.url, 'model-thread'),
      { file: db.name } satisfies ModelThreadData,
      'SQLite',
    );
    this.statements = {
      // Running totals kept by triggers (migration 3).
      totals: db.prepare('SELECT models, parameters FROM model_totals WHERE id = 1'),
      tenantTotals: db.prepare('SELECT models, parameters FROM tenant_model_totals WHERE tenant = ?'),
      // Covering indexes (migration 8): the tenant column lies after a model's values, never read from the row.
      versionOf: db.prepare(
        'SELECT tenant, version, updated_at AS updatedAt FROM models INDEXED BY models_id_tenant WHERE id = ?',
      ),
      tenantVersionOf: db.prepare(
        'SELECT tenant, version, updated_at AS updatedAt FROM models INDEXED BY models_tenant WHERE tenant = ? AND id = ?',
      ),
      all: db.prepare(
        'SELECT id, tenant, version, updated_at AS updatedAt FROM models INDEXED BY models_id_tenant ' +
          'ORDER BY created_at, id',
      ),
      // The primary key's index covers it: no version's values are read.
      olderVersions: db
        .prepare('SELECT version FROM model_versions WHERE model_id = ? ORDER BY version DESC')
        .pluck(),
      tenantAll: db.prepare(
        'SELECT id, tenant, version, updated_at AS updatedAt FROM models INDEXED BY models_tenant WHERE tenant = ? ' +
          'ORDER BY created_at, id',
      ),
    };
  }

  insert(model: NewStoredModel): Promise<string> {
    return this.onThread('insert', model);
  }

  async totals(): Promise<StoredTotals> {
    return (this.statements.totals.get() as StoredTotals | undefined) ?? { models: 0, parameters: 0 };
  }

  async tenantTotals(tenant: string): Promise<TenantModelTotals> {
    return (
      (this.statements.tenantTotals.get(tenant) as TenantModelTotals | undefined) ?? {
        models: 0,
        parameters: 0,
      }
    );
  }

  async versionOf(id: string, tenant?: string): Promise<StoredModelVersion | undefined> {
    const { versionOf, tenantVersionOf } = this.statements;
    const row = (tenant === undefined ? versionOf.get(id) : tenantVersionOf.get(tenant, id)) as
      Omit<StoredModelVersion, 'id'> | undefined;
    return row && { id, ...row };
  }

  async versions(tenant?: string): Promise<StoredModelVersion[]> {
    const { all, tenantAll } = this.statements;
    return (tenant === undefined ? all.all() : tenantAll.all(tenant)) as StoredModelVersion[];
  }

  read(id: string): Promise<StoredModelRecord | undefined> {
    return this.onThread('read', id);
  }

  update(id: string, change: StoredModelChange): Promise<void> {
    return this.onThread('update', { id, change });
  }

  async olderVersions(id: string): Promise<number[]> {
    return this.statements.olderVersions.all(id) as number[];
  }

  readVersion(id: string, version: number): Promise<StoredModelRecord | undefined> {
    return this.onThread('readVersion', { id, version });
  }

  rollback(id: string, version: number, updatedAt: string): Promise<boolean> {
    return this.onThread('rollback', { id, version, updatedAt });
  }

  remove(id: string): Promise<boolean> {
    return this.onThread('remove', id);
  }

  /** Checkpoints the write-ahead log on the store's thread: what the event loop's connection wrote included. */
  checkpoint(): Promise<void> {
    return this.onThread('checkpoint', undefined);
  }

  /** The thread's connection is this one's companion: once this one is closed, the store is closed. */
  private async onThread<K extends keyof ModelThreadCalls>(
    operation: K,
    argument: ModelThreadCalls[K][0],
  ): Promise<ModelThreadCalls[K][1]> {
    if (!this.db.open) throw new Error('The database connection is not open');
    return this.thread.call(operation, argument);
  }

  close(): Promise<void> {
    return this.thread.close();
  }
}
