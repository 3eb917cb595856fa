import { patternString } from './schema.js';

/** Model ids look like `quasimoto_1d_0`; anything else cannot name a model. */
export const modelIdSchema = patternString(/^[a-z0-9_]{1,64}$/, 64, 'a model id such as quasimoto_1d_0');

/** get_metrics labels inference by model id, as the original does; ids are bounded by the pattern and the label guard. */
export function modelIdLabel(params: unknown): { model_id: string } {
  const id = (params as { model_id?: unknown } | null | undefined)?.model_id;
  return { model_id: typeof id === 'string' && modelIdSchema.safeParse(id).success ? id : 'invalid' };
}
