import { ComputeInputError } from '../errors.js';
import type { ModelBase } from '../models/model.js';
import { modelFromSnapshot, type AnyModel } from '../models/registry.js';
import type { TrainingData } from '../train/fit.js';
import { applyMask, fineTunePruned, magnitudeMask, zeroCount } from './prune.js';
import type { Granularity } from './quantization-groups.js';
import { isCompressibleType, quantizeModel, type CompressibleModel } from './quantized-model.js';

/** What to make of a model: an int8 copy, or a pruned copy optionally fine-tuned. */
export type CompressionRequest =
  | { readonly kind: 'quantize'; readonly granularity: Granularity }
  | {
      readonly kind: 'prune';
      readonly sparsity: number;
      readonly fineTuneEpochs: number;
      readonly learningRate: number;
    };

/** How far a compressed model's outputs are from its source's on a data set. */
export interface OutputError {
  readonly rmse: number;
  readonly max: number;
}

export interface Compression {
  readonly model: AnyModel;
  readonly error: OutputError;
  /** The values a store keeps (parameters and buffers), before and after. */
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  /** Pruning: the share of parameters that are zero, and the bytes of a bitmap-and-nonzeros encoding. */
  readonly sparsity?: number;
  readonly sparseBytes?: number;
  /** Pruning with fine-tuning: the data set's loss before the first and after the last step. */
  readonly fineTune?: { readonly initialLoss: number; readonly finalLoss: number };
}

/** The bytes of values a store keeps for a model (its state's `parameters` and `buffers`). */
export function storedValueBytes(model: ModelBase): number {
  return model.parameters.byteLength + model.buffers.byteLength;
}

/** Root-mean-square and largest absolute difference of two outputs. */
export function outputError(reference: Float64Array, other: Float64Array): OutputError {
  let squares = 0;
  let max = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = Math.abs((other[i] as number) - (reference[i] as number));
    squares += d * d;
    if (d > max) max = d;
  }
  return { rmse: Math.sqrt(squares / reference.length), max };
}

/**
 * Compresses a copy of `source` (left unchanged) and measures it on `data` (the source's data set): both models
 * run in the source's mode over the same rows. Fine-tuning, when asked, uses `data` as training would.
 */
export function compressModel(
  source: AnyModel,
  request: CompressionRequest,
  data: TrainingData,
): Compression {
  if (!isCompressibleType(source.type) || 'weights' in source) {
    throw new ComputeInputError(
      'model_id',
      `${source.type} ${'weights' in source ? 'is already int8' : 'cannot be compressed'}: quantize_model and ` +
        'prune_model take a float StringTheoryNN, Quasimoto ensemble or interference basis',
    );
  }
  const float = source as CompressibleModel;
  const bytesBefore = storedValueBytes(float);
  if (request.kind === 'quantize') {
    const quantized = quantizeModel(float, request.granularity);
    const reference = float.forward(data.input);
    const error = outputError(reference, quantized.forward(data.input));
    return { model: quantized as AnyModel, error, bytesBefore, bytesAfter: storedValueBytes(quantized) };
  }
  const reference = float.forward(data.input);
  const pruned = modelFromSnapshot(float.snapshot());
  pruned.restoreCounters(0, float.training);
  const mask = magnitudeMask(pruned, request.sparsity);
  applyMask(pruned, mask);
  let fineTune: Compression['fineTune'];
  if (request.fineTuneEpochs > 0) {
    pruned.train();
    const result = fineTunePruned(pruned, mask, data, {
      epochs: request.fineTuneEpochs,
      learningRate: request.learningRate,
    });
    pruned.eval();
    fineTune = { initialLoss: result.initialLoss, finalLoss: result.finalLoss };
  }
  const error = outputError(reference, pruned.forward(data.input));
  const count = pruned.parameters.length;
  const nonzero = count - zeroCount(pruned.parameters);
  return {
    model: pruned,
    error,
    bytesBefore,
    bytesAfter: storedValueBytes(pruned),
    sparsity: count === 0 ? 0 : 1 - nonzero / count,
    sparseBytes: Math.ceil(count / 8) + 8 * nonzero + pruned.buffers.byteLength,
    ...(fineTune ? { fineTune } : {}),
  };
}
