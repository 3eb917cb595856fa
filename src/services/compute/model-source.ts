import type { CreateModelOptions, ModelSnapshot, ModelType } from '../../core/index.js';

/** How to make a fresh model on a compute thread: its type and options, as plain data (no callbacks, a numeric seed). */
export interface ModelRecipe {
  readonly type: ModelType;
  readonly options: Omit<CreateModelOptions, 'onWarning' | 'values' | 'seed'> & { readonly seed?: number };
}

/** The model a compute task works on: a snapshot of an existing one (its large arrays shared), or a recipe. */
export type ModelSource = { readonly snapshot: ModelSnapshot } | { readonly recipe: ModelRecipe };
