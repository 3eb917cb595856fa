import type { ErrorCode } from '../../errors.js';
import type { NewStoredModel, StoredModelChange, StoredModelRecord } from '../model-store.js';

/** What the SQLite store's thread does: each operation's argument and answer. */
export interface ModelThreadCalls {
  readonly insert: readonly [NewStoredModel, string];
  readonly read: readonly [string, StoredModelRecord | undefined];
  readonly update: readonly [{ readonly id: string; readonly change: StoredModelChange }, undefined];
  readonly remove: readonly [string, boolean];
  /** Copies the write-ahead log into the database file as far as no reader needs it (a passive checkpoint). */
  readonly checkpoint: readonly [undefined, undefined];
}

export type ModelThreadOperation = keyof ModelThreadCalls;

export interface ModelThreadRequest {
  readonly call: number;
  readonly operation: ModelThreadOperation;
  readonly argument: ModelThreadCalls[ModelThreadOperation][0];
}

/** The answer to one request: its value, a refusal the client sees as a DredgeError, or an unexpected failure. */
export type ModelThreadReply =
  | { readonly call: number; readonly value: ModelThreadCalls[ModelThreadOperation][1] }
  | { readonly call: number; readonly refusal: { readonly code: ErrorCode; readonly message: string } }
  | { readonly call: number; readonly failure: string };

/** What the thread is started with. */
export interface ModelThreadData {
  /** The database file, already migrated by the process that starts the thread. */
  readonly file: string;
}
