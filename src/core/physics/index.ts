export * from './constants.js';
export { StringVibration, type Compactification } from './string-vibration.js';
export { calculateStringParameters, type StringParameters } from './string-parameters.js';
export {
  StringQuasimotoIntegration,
  unifiedInference,
  requireStringModes,
  type UnifiedField,
  type UnifiedInference,
} from './unified-field.js';
