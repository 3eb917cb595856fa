import { DredgeError } from '../errors.js';
import type { StoredTotals } from './model-store.js';

/** Memory stays bounded: at most this many models, with at most this many parameters in all. */
export interface RegistryLimits {
  readonly maxModels: number;
  readonly maxParameters: number;
}

/** Refuses, with `too_large` and the sentence every backend gives, a model that would not fit beside `totals`. */
export function admitWithinLimits(limits: RegistryLimits, totals: StoredTotals, adding: number): void {
  if (totals.models >= limits.maxModels) {
    throw new DredgeError(
      'too_large',
      `The model registry is full (${limits.maxModels} models, MAX_MODELS): delete a model with delete_model first.`,
    );
  }
  if (totals.parameters + adding > limits.maxParameters) {
    throw new DredgeError(
      'too_large',
      `The model registry has room for ${limits.maxParameters - totals.parameters} more parameters (MAX_MODEL_PARAMETERS), ` +
        `and this model has ${adding}: delete a model with delete_model first.`,
    );
  }
}
