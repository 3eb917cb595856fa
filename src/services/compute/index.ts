export {
  fitParallel,
  planThreads,
  SPLIT_MIN_WORK,
  MIN_SHARD_ROWS,
  type ParallelFitOptions,
} from './parallel-fit.js';
export {
  ComputePool,
  POOL_BUSY_RETRY_AFTER_SECONDS,
  type PoolModel,
  type PoolTrainingOptions,
} from './compute-pool.js';
export type { ModelRecipe, ModelSource } from './model-source.js';
export { useSharedTensors } from './shared-tensors.js';
