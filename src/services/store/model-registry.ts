import type { AnyModel, ModelType } from '../../core/index.js';
import { DredgeError, unavailableOnFailure } from '../errors.js';
import { binaryState } from './model-state.js';
import { modelId, type ModelFamily, type ModelStore } from './model-store.js';
import { RegisteredModelCache } from './registered-model-cache.js';
import { admitWithinLimits, type RegistryLimits } from './registry-limits.js';
import type { TrainingHistory } from './training-history.js';

/** A loaded model with what the API reports about it. */
export interface RegisteredModel {
  /** `<model_type>_<n>`, as the original numbers them. */
  readonly id: string;
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
 */
export class ModelRegistry {
  private readonly cache: RegisteredModelCache;
  private readonly unavailable: string;

  constructor(
    private readonly store: ModelStore,
    readonly limits: RegistryLimits,
  ) {
    this.cache = new RegisteredModelCache(limits.maxModels);
    this.unavailable = `The model store (${store.name}) is unavailable; try again shortly.`;
  }

  /**
   * Refuses (`too_large`, the sentence `add` would give) a model of `parameterCount` parameters that could not fit
   * even in an empty registry: checked before such a model is made at all.
   */
  checkFits(parameterCount: number): void {
    admitWithinLimits(this.limits, { models: 0, parameters: 0 }, parameterCount);
  }

  /** Stores a new model under the next id of its family. Fails with `too_large` when it would not fit. */
  add(
    type: ModelType,
    model: AnyModel,
    requestConfig: Readonly<Record<string, unknown>>,
  ): Promise<RegisteredModel> {
    const now = new Date().toISOString();
    return this.guarded(async () => {
      const n = await this.store.insert({
        family: familyOf(type),
        parameterCount: model.parameterCount,
        limits: this.limits,
        record: {
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
        id: modelId(type, n),
        type,
        requestConfig,
        model,
        createdAt,
        updatedAt: createdAt,
      });
    });
  }

  get(id: string): Promise<RegisteredModel | undefined> {
    return this.guarded(async () => {
      const current = await this.store.versionOf(id);
      if (!current) {
        this.cache.forget(id);
        return undefined;
      }
      return this.cache.lookup(id, current.version, current.updatedAt) ?? this.restore(id);
    });
  }

  /** Every model, oldest first. */
  list(): Promise<RegisteredModel[]> {
    return this.guarded(async () => {
      const versions = await this.store.versions();
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
   * replaces the stored training history; without it the previous history is kept.
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
      });
      return this.cache.hold(registered);
    });
  }

  delete(id: string): Promise<boolean> {
    this.cache.forget(id);
    return this.guarded(() => this.store.remove(id));
  }

  private async restore(id: string): Promise<RegisteredModel | undefined> {
    const record = await this.store.read(id);
    return record ? this.cache.restore(record) : undefined;
  }

  private guarded<T>(work: () => Promise<T>): Promise<T> {
    return unavailableOnFailure(this.unavailable, work);
  }
}
