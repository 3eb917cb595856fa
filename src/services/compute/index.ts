export {
  fitParallel,
  planThreads,
  SPLIT_MIN_WORK,
  MIN_SHARD_ROWS,
  type ParallelFitOptions,
} from './parallel-fit.js';
export { TrainingPool, type PoolTrainingOptions } from './training-pool.js';
