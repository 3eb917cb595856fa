import { DredgeError } from '../errors.js';
import type { StoredTotals } from './model-store.js';

/**
 * Memory stays bounded: at most this many models, with at most this many parameters in all. Both count current
 * models only: a model's kept older versions (see `versionsKept`) live in the store, never in a process's memory,
 * and add at most `versionsKept − 1` times its parameters there, so a store holds at most
 * `versionsKept × maxParameters` values.
 */
export interface RegistryLimits {
  readonly maxModels: number;
  readonly maxParameters: number;
  /** MODEL_VERSIONS_KEPT: the versions of each model kept, the current one included (DEFAULT_VERSIONS_KEPT). */
  readonly versionsKept?: number | undefined;
}

/** MODEL_VERSIONS_KEPT's default: the current version and the two before it. */
export const DEFAULT_VERSIONS_KEPT = 3;

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
