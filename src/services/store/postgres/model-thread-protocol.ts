import type { DatabaseSettings } from '../../../config/index.js';
import type { ModelValueCalls } from '../store-thread.js';

/** What the PostgreSQL store's thread does: each operation's argument and answer. */
export type ModelThreadCalls = ModelValueCalls & {
  /** Ends the thread's connections. */
  readonly close: readonly [undefined, undefined];
};

/** What the thread is started with: the connection of its own pool. */
export interface ModelThreadData {
  readonly database: DatabaseSettings & { readonly url: string };
}
