import { useSharedTensors } from '../../compute/shared-tensors.js';
import type {
  ModelStore,
  NewStoredModel,
  StoredModelChange,
  StoredModelRecord,
  StoredModelVersion,
} from '../model-store.js';
import type { SqliteDatabase } from './database.js';
import { ModelThread } from './model-thread-client.js';
import type { ModelThreadCalls, ModelThreadOperation } from './model-thread-protocol.js';

/**
 * Models in the embedded SQLite store. A model's values are written and read on the store's own thread, with its
 * own connection to the same file (ModelRows, ModelThread), so megabytes of values never hold the event loop; the
 * quick lookups every use makes (its version) run here, on the connection given. Every change is one transaction,
 * so a crash loses at most the change it interrupted.
 */
export class SqliteModelStore implements ModelStore {
  readonly name = 'SQLite';
  private readonly statements;
  private readonly thread: ModelThread;

  constructor(private readonly db: SqliteDatabase) {
    // Models this process makes live in shared memory from now on, so the thread reads them where they lie.
    useSharedTensors();
    this.thread = new ModelThread(db.name);
    this.statements = {
      versionOf: db.prepare('SELECT version, updated_at AS updatedAt FROM models WHERE id = ?'),
      all: db.prepare(`SELECT id, version, updated_at AS updatedAt FROM models ORDER BY created_at, id`),
    };
  }

  insert(model: NewStoredModel): Promise<number> {
    return this.onThread('insert', model);
  }

  async versionOf(id: string): Promise<StoredModelVersion | undefined> {
    const row = this.statements.versionOf.get(id) as Omit<StoredModelVersion, 'id'> | undefined;
    return row && { id, ...row };
  }

  async versions(): Promise<StoredModelVersion[]> {
    return this.statements.all.all() as StoredModelVersion[];
  }

  read(id: string): Promise<StoredModelRecord | undefined> {
    return this.onThread('read', id);
  }

  update(id: string, change: StoredModelChange): Promise<void> {
    return this.onThread('update', { id, change });
  }

  remove(id: string): Promise<boolean> {
    return this.onThread('remove', id);
  }

  /** The thread's connection is this one's companion: once this one is closed, the store is closed. */
  private async onThread<K extends ModelThreadOperation>(
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
