import type { NewStoredModel, StoredModelChange, StoredModelRecord } from '../model-store.js';

/** What the SQLite store's thread does: each operation's argument and answer. */
export type ModelThreadCalls = {
  readonly insert: readonly [NewStoredModel, string];
  readonly read: readonly [string, StoredModelRecord | undefined];
  readonly update: readonly [{ readonly id: string; readonly change: StoredModelChange }, undefined];
  readonly readVersion: readonly [
    { readonly id: string; readonly version: number },
    StoredModelRecord | undefined,
  ];
  readonly rollback: readonly [
    { readonly id: string; readonly version: number; readonly updatedAt: string },
    boolean,
  ];
  readonly remove: readonly [string, boolean];
  /** Copies the write-ahead log into the database file as far as no reader needs it (a passive checkpoint). */
  readonly checkpoint: readonly [undefined, undefined];
};

/** What the thread is started with. */
export interface ModelThreadData {
  /** The database file, already migrated by the process that starts the thread. */
  readonly file: string;
}
