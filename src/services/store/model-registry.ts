import type { AnyModel, ModelType } from '../../core/index.js';
import type { TrainingHistory } from './training-history.js';

/** The two id counters of the original: Quasimoto models share one, string-theory models have their own. */
export type ModelFamily = 'quasimoto' | 'string_theory';

export function familyOf(type: ModelType): ModelFamily {
  return type === 'string_theory' ? 'string_theory' : 'quasimoto';
}

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

/**
 * Where loaded models live. The in-memory registry is one process's; persistent registries (SQLite, Redis)
 * keep models across restarts and share them between replicas.
 */
export interface ModelRegistry {
  /** Stores a new model under the next id of its family. Fails with `too_large` when it would not fit. */
  add(
    type: ModelType,
    model: AnyModel,
    requestConfig: Readonly<Record<string, unknown>>,
  ): Promise<RegisteredModel>;
  get(id: string): Promise<RegisteredModel | undefined>;
  list(): Promise<RegisteredModel[]>;
  /**
   * Records new parameters of a model already registered (after training); its version has changed. `training`
   * replaces the stored training history; without it the previous history is kept.
   */
  update(id: string, model: AnyModel, training?: TrainingHistory): Promise<RegisteredModel>;
  delete(id: string): Promise<boolean>;
  readonly limits: RegistryLimits;
}

/** Memory stays bounded: at most this many models, with at most this many parameters in all. */
export interface RegistryLimits {
  readonly maxModels: number;
  readonly maxParameters: number;
}

/** The sentence when a new model would not fit; the same for every registry. */
export function registryFullError(
  limits: RegistryLimits,
  models: number,
  parameters: number,
  adding: number,
): string | undefined {
  if (models >= limits.maxModels) {
    return `The model registry is full (${limits.maxModels} models, MAX_MODELS): delete a model with delete_model first.`;
  }
  if (parameters + adding > limits.maxParameters) {
    return (
      `The model registry has room for ${limits.maxParameters - parameters} more parameters (MAX_MODEL_PARAMETERS), ` +
      `and this model has ${adding}: delete a model with delete_model first.`
    );
  }
  return undefined;
}
