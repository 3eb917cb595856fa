import type { AnyModel, ModelType } from '../../core/index.js';
import { DredgeError, unavailableOnFailure } from '../errors.js';
import { binaryState } from './model-state.js';
import type { ModelFamily, ModelStore } from './model-store.js';
import { RegisteredModelCache, restoredModel } from './registered-model-cache.js';
import { admitWithinLimits, DEFAULT_VERSIONS_KEPT, type RegistryLimits } from './registry-limits.js';
import { admitWithinQuota, DEFAULT_TENANT, randomModelId, type TenantQuotas } from './tenancy.js';
import type { TrainingHistory } from './training-history.js';

/** A loaded model with what the API reports about it. */
export interface RegisteredModel {
  /**
   * `<model_type>_<n>`, as the original numbers them, in the default tenant; `<model_type>_<32 hex digits>` in any
   * other (see randomModelId).
   */
  readonly id: string;
  /** The tenant it belongs to: only that tenant's requests find it. */
  readonly tenant: string;
  readonly type: ModelType;
  /** The `config` object of the load_model request, echoed back as the original does. */
  readonly requestConfig: Readonly<Record<string, unknown>>;
  readonly model: AnyModel;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** The model's last training (its thinned loss curve), when it has been trained. */
  readonly training?: TrainingHistory | undefined;
}

function familyOf(type: ModelType): ModelFamily {
  return type === 'string_theory' ? 'string_theory' : 'quasimoto';
}

/**
 * The loaded models, kept in a persistent store (SQLite, Redis) so that they survive restarts and are shared by
 * the processes using that store. A model is restored from its stored state once per version: a use asks the
 * store only for the version, unless another process changed the model. Any failure of the store reaches the
 * caller as a 503 with a sentence, never as the backend's own error.
 *
 * Every model belongs to a tenant. The methods a door uses take the caller's tenant and see that tenant's models
 * only (another tenant's id is as unknown as a made-up one); without a tenant, `get` and `list` see every model
 * (the process's own uses: readiness, and the lookup `runOperation` makes before the operation checks the
 * model's tenant, see `defineModelOperation`). With `quotas` (MULTI_TENANT_ENABLED) a tenant is also held to its
 * TENANT_MAX_MODELS and TENANT_MAX_MODEL_PARAMETERS, counted from per-tenant totals the store keeps.
 */
export class ModelRegistry {
  private readonly cache: RegisteredModelCache;
  private readonly unavailable: string;

  constructor(
    private readonly store: ModelStore,
    readonly limits: RegistryLimits,
    readonly quotas?: TenantQuotas,
  ) {
    this.cache = new RegisteredModelCache(limits.maxModels);
    this.unavailable = `The model store (${store.name}) is unavailable; try again shortly.`;
  }

  /**
   * Refuses (`too_large`, the sentence `add` would give) a model of `parameterCount` parameters that would not fit
   * beside those stored now: checked before such a model is made at all, so a refused model never takes its
   * megabytes. `add` checks again, in its write, for models added meanwhile.
   */
  checkFits(parameterCount: number, tenant: string = DEFAULT_TENANT): Promise<void> {
    return this.guarded(async () => {
      const [totals, tenantTotals] = await Promise.all([
        this.store.totals(),
        this.quotas ? this.store.tenantTotals(tenant) : undefined,
      ]);
      admitWithinLimits(this.limits, totals, parameterCount);
      if (tenantTotals) admitWithinQuota(this.quotas, tenantTotals, parameterCount);
    });
  }

  /**
   * Stores a new model of `tenant`: under the next id of its family in the default tenant, a random one in any
   * other. Fails with `too_large` when it would not fit, or pass its tenant's quotas.
   */
  add(
    type: ModelType,
    model: AnyModel,
    requestConfig: Readonly<Record<string, unknown>>,
    tenant: string = DEFAULT_TENANT,
  ): Promise<RegisteredModel> {
    const now = new Date().toISOString();
    return this.guarded(async () => {
      const id = await this.store.insert({
        family: familyOf(type),
        id: tenant === DEFAULT_TENANT ? undefined : randomModelId(type),
        parameterCount: model.parameterCount,
        limits: this.limits,
        quotas: this.quotas,
        record: {
          tenant,
          type,
          requestConfig: JSON.stringify(requestConfig),
          state: binaryState(model.snapshot()),
          version: model.version,
          createdAt: now,
          updatedAt: now,
        },
      });
      const createdAt = new Date(now);
      return this.cache.hold({
        id,
        tenant,
        type,
        requestConfig,
        model,
        createdAt,
        updatedAt: createdAt,
      });
    });
  }

  /** The model, when it exists and (given `tenant`) is that tenant's. */
  get(id: string, tenant?: string): Promise<RegisteredModel | undefined> {
    return this.guarded(async () => {
      const current = await this.store.versionOf(id, tenant);
      if (!current) {
        this.cache.forget(id);
        return undefined;
      }
      return this.cache.lookup(id, current.version, current.updatedAt) ?? this.restore(id);
    });
  }

  /** Every model of `tenant` (of every tenant without one), oldest first. */
  list(tenant?: string): Promise<RegisteredModel[]> {
    return this.guarded(async () => {
      const versions = await this.store.versions(tenant);
      const models = await Promise.all(
        versions.map(
          ({ id, version, updatedAt }) => this.cache.lookup(id, version, updatedAt) ?? this.restore(id),
        ),
      );
      return models.filter((model): model is RegisteredModel => model !== undefined);
    });
  }

  /**
   * Records new parameters of a model already registered (after training); its version has changed. `training`
   * replaces the stored training history; without it the previous history is kept. The state replaced stays stored
   * as an older version, in the same write: at most MODEL_VERSIONS_KEPT versions remain (the oldest go), and
   * after a rollback the versions newer than the one rolled back to are dropped (the history is linear).
   */
  update(id: string, model: AnyModel, training?: TrainingHistory): Promise<RegisteredModel> {
    return this.guarded(async () => {
      const existing = await this.get(id);
      if (!existing) throw new DredgeError('not_found', `Model not found: ${id}`);
      const registered: RegisteredModel = {
        ...existing,
        model,
        updatedAt: new Date(),
        training: training ?? existing.training,
      };
      await this.store.update(id, {
        state: binaryState(model.snapshot()),
        version: model.version,
        updatedAt: registered.updatedAt.toISOString(),
        training: training === undefined ? undefined : JSON.stringify(training),
        versionsKept: this.versionsKept,
      });
      return this.cache.hold(registered);
    });
  }

  /**
   * The model as it was at `version` (its `version` number, as get_parameters reports it), when the model exists,
   * is (given `tenant`) that tenant's, and keeps that version: the current model when `version` is the current one.
   * An older version is read from the store on each call (held by no process, so it costs no memory).
   */
  getVersion(id: string, version: number, tenant?: string): Promise<RegisteredModel | undefined> {
    return this.guarded(async () => {
      const current = await this.store.versionOf(id, tenant);
      if (!current) return undefined;
      if (current.version === version) return this.get(id, tenant);
      const record = await this.store.readVersion(id, version);
      return record && restoredModel(record);
    });
  }

  /**
   * The version numbers the model keeps, newest first, the current one included (the first, except after a
   * rollback, which keeps the newer versions until the next training); empty when there is no such model (of
   * `tenant`, given one).
   */
  versionsOf(id: string, tenant?: string): Promise<number[]> {
    return this.guarded(async () => {
      const current = await this.store.versionOf(id, tenant);
      if (!current) return [];
      return [current.version, ...(await this.store.olderVersions(id))].sort((a, b) => b - a);
    });
  }

  /**
   * Makes a kept `version` of the model current: it becomes the model's state (parameters, version, training
   * history), and the state it replaces is kept as an older version, so a rollback can be undone until the next
   * training (which drops the versions newer than the one it starts from). Rolling back to the current version
   * changes nothing. `not_found` when there is no such model, or it does not keep that version.
   */
  rollback(id: string, version: number, tenant?: string): Promise<RegisteredModel> {
    return this.guarded(async () => {
      const current = await this.store.versionOf(id, tenant);
      if (!current) throw new DredgeError('not_found', `Model not found: ${id}`);
      if (current.version !== version) {
        const done = await this.store.rollback(id, version, new Date().toISOString());
        if (!done) throw await this.versionNotKept(id, version, tenant);
        this.cache.forget(id);
      }
      const model = await this.get(id, tenant);
      if (!model) throw new DredgeError('not_found', `Model not found: ${id}`);
      return model;
    });
  }

  /** `not_found`, naming the version asked for and those the model keeps. */
  async versionNotKept(id: string, version: number, tenant?: string): Promise<DredgeError> {
    const kept = await this.versionsOf(id, tenant);
    if (kept.length === 0) return new DredgeError('not_found', `Model not found: ${id}`);
    return new DredgeError(
      'not_found',
      `Model ${id} does not keep version ${version}; its kept versions are ${kept.join(', ')} (newest first).`,
    );
  }

  /** MODEL_VERSIONS_KEPT. */
  get versionsKept(): number {
    return this.limits.versionsKept ?? DEFAULT_VERSIONS_KEPT;
  }

  /** Removes the model when it exists and (given `tenant`) is that tenant's; answers whether it did. */
  delete(id: string, tenant?: string): Promise<boolean> {
    return this.guarded(async () => {
      if (tenant !== undefined && !(await this.store.versionOf(id, tenant))) return false;
      this.cache.forget(id);
      return this.store.remove(id);
    });
  }

  private async restore(id: string): Promise<RegisteredModel | undefined> {
    const record = await this.store.read(id);
    return record ? this.cache.restore(record) : undefined;
  }

  private guarded<T>(work: () => Promise<T>): Promise<T> {
    return unavailableOnFailure(this.unavailable, work);
  }
}
