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

/** New parameters of a stored model; without `training` the stored training history is kept. */
export type StoredModelChange = Pick<StoredModelRecord, 'version' | 'updatedAt'> & {
  readonly state: BinaryModelState;
  readonly training?: string | undefined;
};

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
  /** The parameters and the training history that produced them change in one write. */
  update(id: string, change: StoredModelChange): Promise<void>;
  /** Whether there was a model to remove. */
  remove(id: string): Promise<boolean>;
  /** Releases what the backend holds of its own (the SQLite store's thread); the connection is the caller's. */
  close?(): Promise<void>;
}
