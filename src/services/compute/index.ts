export {
  fitParallel,
  planThreads,
  SPLIT_MIN_WORK,
  MIN_SHARD_ROWS,
  type ParallelFitOptions,
} from './parallel-fit.js';
export { ComputePool, type PoolTrainingOptions } from './compute-pool.js';
