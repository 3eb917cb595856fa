import { patternString, wholeNumber } from './schema.js';

/** Model ids look like `quasimoto_1d_0`; anything else cannot name a model. */
export const modelIdSchema = patternString(/^[a-z0-9_]{1,64}$/, 64, 'a model id such as quasimoto_1d_0');

/** get_metrics labels inference by model id, as the original does; ids are bounded by the pattern and the label guard. */
export function modelIdLabel(params: unknown): { model_id: string } {
  const id = (params as { model_id?: unknown } | null | undefined)?.model_id;
  return { model_id: typeof id === 'string' && modelIdSchema.safeParse(id).success ? id : 'invalid' };
}

/**
 * A kept version of a model, by its `version` number (as load_model, train and get_parameters report it): the
 * current one, or one of the MODEL_VERSIONS_KEPT − 1 before it (list_model_versions lists them).
 */
export const modelVersionSchema = wholeNumber(0, Number.MAX_SAFE_INTEGER);
