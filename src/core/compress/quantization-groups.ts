import { ComputeInputError } from '../errors.js';
import type { ModelBase } from '../models/model.js';
import type { TensorView } from '../models/tensor-table.js';

/** How finely scales are shared: one per output channel (row of a matrix), or one per tensor. */
export const GRANULARITIES = ['per_channel', 'per_tensor'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** Parameters x[offset + i·stride], i < count, sharing one scale and zero point. */
export interface QuantGroup {
  readonly offset: number;
  readonly count: number;
  readonly stride: number;
}

/**
 * Where a tensor's groups start, for the kernels of the matrix-shaped models: row r of the tensor uses group
 * `first + r` when `perRow`, else `first`.
 */
export interface TensorGroups {
  readonly view: TensorView;
  readonly first: number;
  readonly perRow: boolean;
}

export interface GroupLayout {
  readonly granularity: Granularity;
  readonly groups: readonly QuantGroup[];
  /** By tensor name (StringTheoryNN, the interference basis); empty for the wave ensembles. */
  readonly tensors: ReadonlyMap<string, TensorGroups>;
}

export function isGranularity(value: unknown): value is Granularity {
  return typeof value === 'string' && (GRANULARITIES as readonly string[]).includes(value);
}

/** Waves of an ensemble and the parameters of one wave (its stride), read from its tensor names. */
export function ensembleShape(model: ModelBase): { waves: number; stride: number } | undefined {
  if (!model.type.startsWith('quasimoto_ensemble')) return undefined;
  const head = model.parameterTable.get('head.weight');
  if (!head) throw new ComputeInputError('model', `${model.type} has no head.weight`);
  const waves = head.size;
  return { waves, stride: head.offset / waves };
}

/**
 * The groups of a model's parameters. A wave ensemble's waves form a matrix [waves × parameters of a wave]: per
 * channel, each parameter of the wave (A of every wave, k of every wave, …) shares a scale, since a parameter has
 * one range across the waves while a wave's own parameters span very different ones; per tensor, the whole bank
 * shares one. The head's weight and bias are a group each. Every other model: per tensor, one group per named
 * tensor; per channel, one per row of a matrix (the output channel of a Linear layer, a field of the basis'
 * k and λ) and one per vector.
 */
export function groupLayout(model: ModelBase, granularity: Granularity): GroupLayout {
  const groups: QuantGroup[] = [];
  const tensors = new Map<string, TensorGroups>();
  const ensemble = ensembleShape(model);
  if (ensemble) {
    const { waves, stride } = ensemble;
    if (granularity === 'per_channel') {
      for (let c = 0; c < stride; c++) groups.push({ offset: c, count: waves, stride });
    } else {
      groups.push({ offset: 0, count: waves * stride, stride: 1 });
    }
    groups.push({ offset: waves * stride, count: waves, stride: 1 }); // head.weight
    groups.push({ offset: waves * stride + waves, count: 1, stride: 1 }); // head.bias
    return { granularity, groups, tensors };
  }
  for (const view of model.parameterTable.entries) {
    const perRow = granularity === 'per_channel' && view.shape.length >= 2;
    tensors.set(view.name, { view, first: groups.length, perRow });
    if (perRow) {
      const rows = view.shape[0] as number;
      const cols = view.size / rows;
      for (let r = 0; r < rows; r++) groups.push({ offset: view.offset + r * cols, count: cols, stride: 1 });
    } else {
      groups.push({ offset: view.offset, count: view.size, stride: 1 });
    }
  }
  return { granularity, groups, tensors };
}
