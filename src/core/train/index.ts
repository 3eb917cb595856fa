export { SeededRandom, randomSeed, toRandom, MAX_SEED, type RandomSource } from './random.js';
export { Adam, type AdamOptions } from './adam.js';
export { meanSquaredError } from './loss.js';
export { clipGradientNorm } from './clip.js';
export {
  fit,
  fitSync,
  fitResult,
  epochSchedule,
  runEpochs,
  decimateLosses,
  Trainer,
  DEFAULT_LEARNING_RATE,
  type AsyncFitOptions,
  type EpochSchedule,
  type FitOptions,
  type FitProgress,
  type FitResult,
  type OptimizerOptions,
  type TrainingData,
} from './fit.js';
export {
  linspaceFloat32,
  generateChirp,
  chirpDataset,
  generateGrid4d,
  grid4dDataset,
  generateGrid6d,
  grid6dDataset,
  stringModesDataset,
  wavePacketDataset,
  type ChirpData,
  type Dataset,
  type Grid4dData,
  type Grid6dData,
} from './datasets.js';
export { shardRanges, sliceInput, sliceTarget, sumGradients, type RowRange } from './shard.js';
