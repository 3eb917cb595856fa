import type { DatabaseSettings } from '../../../config/index.js';
import type { NewStoredModel, StoredModelChange, StoredModelRecord } from '../model-store.js';

/** What the PostgreSQL store's thread does: each operation's argument and answer. */
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
  /** Ends the thread's connections. */
  readonly close: readonly [undefined, undefined];
};

/** What the thread is started with: the connection of its own pool. */
export interface ModelThreadData {
  readonly database: DatabaseSettings & { readonly url: string };
}
