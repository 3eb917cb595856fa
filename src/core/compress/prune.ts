import { ComputeInputError } from '../errors.js';
import { MAX_EPOCHS } from '../limits.js';
import type { ModelBase } from '../models/model.js';
import {
  Trainer,
  fitResult,
  type FitResult,
  type OptimizerOptions,
  type TrainingData,
} from '../train/fit.js';
import { requireInteger } from '../validate.js';
import { groupLayout, type QuantGroup } from './quantization-groups.js';

/** The largest fraction of parameters pruning may zero. */
export const MAX_SPARSITY = 0.99;

/**
 * The mask of magnitude pruning (1 = pruned): exactly round(sparsity·N) parameters, taken tensor by tensor (the
 * groups of per-tensor quantisation: each Linear weight and bias, the ensemble's wave bank and its head) in
 * proportion to their sizes (largest remainders settle the rounding), the smallest |value| first within each
 * (ties to the earlier index). Layer by layer rather than over the whole model, because the tensors' scales
 * differ: globally, a whole small-valued tensor (an ensemble's head) would go first and silence the model.
 */
export function magnitudeMask(model: ModelBase, sparsity: number): Uint8Array {
  if (!(sparsity >= 0 && sparsity <= MAX_SPARSITY)) {
    throw new ComputeInputError('sparsity', `sparsity must be from 0 to ${MAX_SPARSITY} (got ${sparsity})`);
  }
  const values = model.parameters;
  const { groups } = groupLayout(model, 'per_tensor');
  const total = Math.round(sparsity * values.length);
  const exact = groups.map((group) => sparsity * group.count);
  const counts = exact.map(Math.floor);
  const remainder = exact.map((x, g) => x - (counts[g] as number));
  let left = total - counts.reduce((a, b) => a + b, 0);
  const byRemainder = remainder
    .map((_, g) => g)
    .sort((a, b) => (remainder[b] as number) - (remainder[a] as number) || a - b);
  for (const g of byRemainder) {
    if (left <= 0) break;
    if ((counts[g] as number) < (groups[g] as QuantGroup).count) {
      counts[g] = (counts[g] as number) + 1;
      left--;
    }
  }
  const mask = new Uint8Array(values.length);
  groups.forEach((group, g) => {
    const indices = Array.from({ length: group.count }, (_, i) => group.offset + i * group.stride);
    indices.sort((a, b) => Math.abs(values[a] as number) - Math.abs(values[b] as number) || a - b);
    for (let i = 0; i < (counts[g] as number); i++) mask[indices[i] as number] = 1;
  });
  return mask;
}

/** Zeroes the masked parameters of a model (in place) and bumps its version. */
export function applyMask(model: ModelBase, mask: Uint8Array): void {
  const p = model.parameters;
  for (let i = 0; i < p.length; i++) if (mask[i] === 1) p[i] = 0;
  model.markChanged();
}

/**
 * Fine-tunes a pruned model with Adam on `data` (full batch, one step an epoch) while its pruned parameters stay
 * exactly zero: their gradient is masked to 0 before every step, so Adam's moments for them stay 0 and so does
 * their update (m/(√v + ε) = 0). Returns the loss of every epoch, as `fitSync` does.
 */
export function fineTunePruned(
  model: ModelBase,
  mask: Uint8Array,
  data: TrainingData,
  options: OptimizerOptions & { readonly epochs: number; readonly signal?: AbortSignal },
): FitResult {
  const epochs = requireInteger('fine_tune_epochs', options.epochs, 1, MAX_EPOCHS);
  const trainer = new Trainer(model, data, options);
  const gradient = trainer.gradient;
  const losses = new Float64Array(epochs);
  for (let e = 0; e < epochs; e++) {
    options.signal?.throwIfAborted();
    losses[e] = model.lossAndGradient(data.input, data.target, gradient);
    for (let i = 0; i < mask.length; i++) if (mask[i] === 1) gradient[i] = 0;
    trainer.applyGradient(gradient);
  }
  return fitResult(losses);
}

/** How many parameters are exactly zero. */
export function zeroCount(values: Float64Array): number {
  let zeros = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
  return zeros;
}
