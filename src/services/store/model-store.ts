import type { ModelType } from '../../core/index.js';
import type { BinaryModelState, StoredModelState } from './model-state.js';
import type { RegistryLimits } from './registry-limits.js';
import type { TenantModelTotals, TenantQuotas } from './tenancy.js';

/** The two id counters of the original: Quasimoto models share one, string-theory models have their own. */
export type ModelFamily = 'quasimoto' | 'string_theory';

/** A model as a store keeps it: its wire facts and its state (format 2 written; format 1 may be read back). */
export interface StoredModelRecord {
  readonly id: string;
  /** The tenant it belongs to (see tenancy.ts). */
  readonly tenant: string;
  readonly type: ModelType;
  readonly requestConfig: string;
  readonly state: StoredModelState;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The last training's history as JSON (see TrainingHistory); null or absent when never trained. */
  readonly training?: string | null | undefined;
}

/** Enough of a stored model to tell whether the copy a process has restored is still current. */
export type StoredModelVersion = Pick<StoredModelRecord, 'id' | 'tenant' | 'version' | 'updatedAt'>;

/** How many models a store holds, and their parameters in all. */
export interface StoredTotals {
  readonly models: number;
  readonly parameters: number;
}

/** The id of the n-th model of a type's family, as the original numbers them. */
export function modelId(type: ModelType, n: number): string {
  return `${type}_${n}`;
}

/**
 * A model about to be stored: the store admits it against the limits (`admitWithinLimits`, given its totals
 * before it) and its tenant's quotas (`admitWithinQuota`, given the tenant's totals), and stores `record` under
 * `id` when given (a tenant other than the default: `randomModelId`), else under `modelId(record.type, n)` with
 * n its family's next number. Plain data, so that a backend may do all of it on another thread.
 */
export interface NewStoredModel {
  readonly family: ModelFamily;
  readonly id?: string | undefined;
  readonly parameterCount: number;
  readonly limits: RegistryLimits;
  /** The tenant's quotas (record.tenant's), with MULTI_TENANT_ENABLED only. */
  readonly quotas?: TenantQuotas | undefined;
  readonly record: Omit<StoredModelRecord, 'id' | 'state' | 'training'> & {
    readonly state: BinaryModelState;
  };
}

/**
 * New parameters of a stored model; without `training` the stored training history is kept. The state it replaces
 * becomes an older version in the same write (see `ModelStore.update`), and at most `versionsKept` versions (the
 * new one included) remain.
 */
export type StoredModelChange = Pick<StoredModelRecord, 'version' | 'updatedAt'> & {
  readonly state: BinaryModelState;
  readonly training?: string | undefined;
  /** MODEL_VERSIONS_KEPT, at least 1. */
  readonly versionsKept: number;
};

/**
 * Which older versions survive an update from `current` to `next` (see `ModelStore.update`): those no newer than the
 * current one (the ones a rollback left newer are abandoned: the history is linear) and older than the new one,
 * the newest `versionsKept − 1` of them. Every backend computes this rule in its own language; this is its statement.
 */
export function survivesUpdate(version: number, current: number, next: number): boolean {
  return version <= current && version < next;
}

/**
 * The primitives a storage backend gives `ModelRegistry`, which keeps the ids, the restored models and the answer
 * to a failure in one place. Every method may reject with the backend's own error.
 */
export interface ModelStore {
  /** The backend, as the sentence a client gets when it fails names it. */
  readonly name: string;
  /**
   * Admits the model against the totals and its tenant's, draws its family's next number (unless it has an id)
   * and stores its record; answers its id. Drawing the number is atomic, so processes sharing the store never get
   * one id twice; a backend that reads the totals in the same transaction as the write (SQLite) also keeps
   * concurrent adds within the limits.
   */
  insert(model: NewStoredModel): Promise<string>;
  /** The models stored and their parameters in all (every tenant's), read without reading any model. */
  totals(): Promise<StoredTotals>;
  /** The same of one tenant, as its quotas count them. */
  tenantTotals(tenant: string): Promise<TenantModelTotals>;
  /** The model's version, when it exists and (given `tenant`) belongs to that tenant. */
  versionOf(id: string, tenant?: string): Promise<StoredModelVersion | undefined>;
  /** Every stored model of the tenant (of every tenant without one), oldest first. */
  versions(tenant?: string): Promise<StoredModelVersion[]>;
  read(id: string): Promise<StoredModelRecord | undefined>;
  /**
   * The parameters and the training history that produced them change in one write, which also keeps the state
   * replaced as an older version (under its version number, with its training history and updatedAt), drops the
   * older versions `survivesUpdate` does not keep, and the oldest beyond `change.versionsKept − 1`.
   */
  update(id: string, change: StoredModelChange): Promise<void>;
  /** The numbers of the model's kept older versions (the current one not among them), newest first. */
  olderVersions(id: string): Promise<number[]>;
  /**
   * A kept older version as a record: the model's facts (tenant, type, configuration, creation) with that
   * version's state, number, updatedAt and training history; undefined when that version is not kept.
   */
  readVersion(id: string, version: number): Promise<StoredModelRecord | undefined>;
  /**
   * Makes the kept older `version` current in one write, its updatedAt becoming `updatedAt`; the state it replaces
   * is kept as an older version in its place, so nothing is lost and the count of versions is unchanged. Answers
   * false (changing nothing) when that version is not kept.
   */
  rollback(id: string, version: number, updatedAt: string): Promise<boolean>;
  /** Whether there was a model to remove; its older versions go with it, in the same write. */
  remove(id: string): Promise<boolean>;
  /** Releases what the backend holds of its own (the SQLite store's thread); the connection is the caller's. */
  close?(): Promise<void>;
}
