export { MODEL_TYPES, ModelBase } from './model.js';
export type {
  GradientRange,
  InitialValues,
  ModelConfig,
  ModelSnapshot,
  ModelType,
  ModelValues,
  ParameterDescription,
  SerializedModel,
} from './model.js';
export { float64Bytes, float64FromBytes } from './codec.js';
export { allocateTensor, setTensorAllocator, type TensorAllocator } from './tensor-memory.js';
export { reportParameters, type ReportedParameter } from './parameter-report.js';
export { shapeOutput } from './model-output.js';
export { inputFromColumns, inputFromRows, inputFromTrustedColumns, type ModelInput } from './model-input.js';
export { TensorTable, nestTensor, type Nested, type TensorSpec, type TensorView } from './tensor-table.js';
export { QuasimotoWave, QuasimotoWave4D, QuasimotoWave6D, type ModelOptions } from './quasimoto-wave.js';
export {
  QuasimotoEnsemble,
  QuasimotoEnsemble4D,
  QuasimotoEnsemble6D,
  DEFAULT_ENSEMBLE_WAVES,
  type EnsembleConfig,
  type EnsembleOptions,
} from './quasimoto-ensemble.js';
export {
  QuasimotoInterferenceBasis,
  DEFAULT_INTERFERENCE_BASIS,
  type InterferenceBasisConfig,
  type InterferenceBasisOptions,
} from './interference-basis.js';
export {
  StringTheoryNN,
  DEFAULT_STRING_THEORY_NN,
  BATCH_NORM_EPS,
  BATCH_NORM_MOMENTUM,
  type StringTheoryNNConfig,
  type StringTheoryNNOptions,
} from './string-theory-nn.js';
export {
  createModel,
  modelFromJSON,
  modelFromSnapshot,
  isModelType,
  type AnyModel,
  type CreateModelOptions,
} from './registry.js';
export { waveParameterNames, waveInputNames } from './wave-parameters.js';
