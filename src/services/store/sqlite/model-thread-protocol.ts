import type { ModelValueCalls } from '../store-thread.js';

/** What the SQLite store's thread does: each operation's argument and answer. */
export type ModelThreadCalls = ModelValueCalls & {
  readonly remove: readonly [string, boolean];
  /** Copies the write-ahead log into the database file as far as no reader needs it (a passive checkpoint). */
  readonly checkpoint: readonly [undefined, undefined];
};

/** What the thread is started with. */
export interface ModelThreadData {
  /** The database file, already migrated by the process that starts the thread. */
  readonly file: string;
}
