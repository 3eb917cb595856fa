export {
  COMPRESSIBLE_TYPES,
  DEFAULT_GRANULARITY,
  QuantizedModel,
  isCompressibleType,
  quantizeModel,
  type CompressibleModel,
  type CompressibleType,
  type QuantizationConfig,
} from './quantized-model.js';
export {
  GRANULARITIES,
  groupLayout,
  isGranularity,
  type Granularity,
  type GroupLayout,
} from './quantization-groups.js';
export { dequantize, type Int8Weights } from './int8-weights.js';
export { MAX_SPARSITY, applyMask, fineTunePruned, magnitudeMask, zeroCount } from './prune.js';
export {
  compressModel,
  outputError,
  storedValueBytes,
  type Compression,
  type CompressionRequest,
  type OutputError,
} from './compression-job.js';
