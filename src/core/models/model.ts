import { ComputeInputError, ComputeStateError } from '../errors.js';
import { MAX_BATCH_SIZE } from '../limits.js';
import { encodeFloat64, fingerprintOf } from './codec.js';
import type { ModelInput } from './model-input.js';
import { nestTensor, TensorTable, unnestTensor, type Nested, type TensorSpec } from './tensor-table.js';
import { allocateTensor } from './tensor-memory.js';

/** Every model the core provides, named as the wire contract names them (`model_type`). */
export const MODEL_TYPES = [
  'quasimoto_1d',
  'quasimoto_4d',
  'quasimoto_6d',
  'quasimoto_ensemble',
  'quasimoto_ensemble_4d',
  'quasimoto_ensemble_6d',
  'quasimoto_interference_basis',
  'string_theory',
] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

export type ModelConfig = Readonly<Record<string, number | boolean | string>>;

/** A model as plain JSON. Values are base64 of little-endian float64 bytes: bit-exact, −0 and NaN included. */
export interface SerializedModel {
  readonly format: 'dredge-model';
  readonly formatVersion: 1;
  readonly type: ModelType;
  readonly config: ModelConfig;
  readonly version: number;
  /** PyTorch's train/eval mode (only StringTheoryNN's BatchNorm behaves differently). */
  readonly training: boolean;
  readonly parameters: string;
  readonly buffers: string;
}

/**
 * A model as values in memory: the binary form that stores keep and threads pass (format version 2; version 1 is
 * the JSON text of `SerializedModel`). `model.snapshot()` answers views of the model's own arrays, not copies:
 * whoever keeps one must not change them, and `modelFromSnapshot` copies them unless told to adopt them.
 */
export interface ModelSnapshot {
  readonly format: 'dredge-model';
  readonly formatVersion: 2;
  readonly type: ModelType;
  readonly config: ModelConfig;
  readonly version: number;
  readonly training: boolean;
  readonly parameters: Float64Array;
  readonly buffers: Float64Array;
}

/** Arrays a model takes as its own storage instead of allocating and initialising it (a restored model). */
export interface ModelValues {
  readonly parameters: Float64Array;
  readonly buffers: Float64Array;
}

/**
 * Where a new model's values come from: drawn from its seed (the default); all zero, for its shape alone (cheap:
 * the allocation is lazy and nothing is drawn, so bounds can be checked before the real model is made elsewhere);
 * or adopted arrays of exactly the model's sizes.
 */
export type InitialValues = 'drawn' | 'zeros' | ModelValues;

/** One entry of get_parameters, shaped as the reference answers it. */
export interface ParameterDescription {
  readonly value: Nested;
  readonly shape: number[];
  readonly requires_grad: boolean;
}

/** Rows [start, end) of a batch whose squared errors are divided by `normalizer` (rows × outputs of the whole batch). */
export interface GradientRange {
  readonly start: number;
  readonly end: number;
  readonly normalizer: number;
}

/**
 * What every model offers. Parameters live in one flat Float64Array (`parameters`, laid out by
 * `parameterTable` in PyTorch's order and names); non-trainable state such as BatchNorm running statistics in
 * `buffers`. Whoever changes either must call `markChanged()`, which bumps `version` (the optimizer and the
 * loaders do); `fingerprint()` hashes type, configuration, mode and values for cache keys.
 */
export abstract class ModelBase {
  abstract readonly type: ModelType;
  abstract readonly config: ModelConfig;
  /** The input columns, in order (e.g. ['x', 't']). */
  abstract readonly inputNames: readonly string[];
  /** Outputs per row. */
  abstract readonly outputWidth: number;

  readonly parameterTable: TensorTable;
  readonly parameters: Float64Array;
  readonly bufferTable: TensorTable;
  readonly buffers: Float64Array;

  #version = 0;
  #training = true;
  #fingerprint: { version: number; training: boolean; value: string } | undefined;

  /** Whether the subclass draws its initial values (false when the values are zeros or adopted). */
  protected readonly drawsInitialValues: boolean;

  protected constructor(
    parameterSpecs: readonly TensorSpec[],
    bufferSpecs: readonly TensorSpec[] = [],
    initialValues: InitialValues = 'drawn',
  ) {
    this.parameterTable = new TensorTable(parameterSpecs);
    this.bufferTable = new TensorTable(bufferSpecs);
    this.drawsInitialValues = initialValues === 'drawn';
    if (typeof initialValues === 'string') {
      // From the allocator the host set (shared memory on a server), so the model can reach other threads uncopied.
      this.parameters = allocateTensor(this.parameterTable.size);
      this.buffers = allocateTensor(this.bufferTable.size);
    } else {
      this.parameters = adopted(initialValues.parameters, this.parameterTable.size, 'parameters');
      this.buffers = adopted(initialValues.buffers, this.bufferTable.size, 'buffers');
    }
  }

  /** Number of trainable values (the reference's n_parameters; buffers are not counted). */
  get parameterCount(): number {
    return this.parameters.length;
  }

  /** Increases by one on every change of parameters or buffers. */
  get version(): number {
    return this.#version;
  }

  /** PyTorch's mode flag: true after `train()` (the default, as in PyTorch), false after `eval()`. */
  get training(): boolean {
    return this.#training;
  }

  train(): this {
    this.#training = true;
    return this;
  }

  eval(): this {
    this.#training = false;
    return this;
  }

  /** Whether rows of a batch may be split into ranges whose gradients are added (false for BatchNorm in training). */
  get canSplitBatch(): boolean {
    return true;
  }

  /** The wire shape of the output for `rows` rows: [rows] for the single waves, [rows, outputs] otherwise. */
  outputShape(rows: number): number[] {
    return [rows, this.outputWidth];
  }

  markChanged(): void {
    this.#version++;
  }

  /** Predictions for every row, row-major [rows × outputWidth]; `out` is reused when given. */
  forward(input: ModelInput, out?: Float64Array): Float64Array {
    this.checkInput(input);
    const length = input.size * this.outputWidth;
    if (out !== undefined && (!(out instanceof Float64Array) || out.length < length)) {
      throw new ComputeInputError('out', `out must be a Float64Array of at least ${length} values`);
    }
    const result = out ?? new Float64Array(length);
    this.forwardRows(input, result);
    return result;
  }

  /** Mean squared error of the predictions against `target` (row-major, like the output). */
  loss(input: ModelInput, target: Float64Array): number {
    const prediction = this.forward(input);
    this.checkTarget(input, target);
    let sum = 0;
    for (let i = 0; i < prediction.length; i++) {
      const r = (prediction[i] as number) - (target[i] as number);
      sum += r * r;
    }
    return sum / prediction.length;
  }

  /**
   * Mean squared error and its gradient with respect to every parameter (written to `grad`, same layout as
   * `parameters`), computed by the fused kernel in one sweep over the batch.
   */
  lossAndGradient(input: ModelInput, target: Float64Array, grad: Float64Array): number {
    this.checkInput(input);
    this.checkTarget(input, target);
    this.checkGradient(grad);
    grad.fill(0, 0, this.parameterCount);
    const n = input.size * this.outputWidth;
    return this.accumulateRows(input, target, grad, 0, input.size, 2 / n) / n;
  }

  /**
   * Adds the gradient of Σ_{rows in range} r² / normalizer to `grad` and returns Σ r² of those rows. Shards of a
   * batch computed this way (in workers) add up to `lossAndGradient` of the whole batch.
   */
  accumulateGradient(
    input: ModelInput,
    target: Float64Array,
    grad: Float64Array,
    range: GradientRange,
  ): number {
    this.checkInput(input);
    this.checkTarget(input, target);
    this.checkGradient(grad);
    const { start, end, normalizer } = range;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > input.size || start > end) {
      throw new ComputeInputError('range', `range must satisfy 0 ≤ start ≤ end ≤ ${input.size}`);
    }
    if (!(normalizer > 0) || !Number.isFinite(normalizer)) {
      throw new ComputeInputError('range', 'range.normalizer must be a positive number');
    }
    if (!this.canSplitBatch && (start !== 0 || end !== input.size)) {
      throw new ComputeStateError(
        `${this.type} in training mode with BatchNorm needs the whole batch at once`,
      );
    }
    return this.accumulateRows(input, target, grad, start, end, 2 / normalizer);
  }

  /** Fast, stable 64-bit hash (16 hex digits) of type, configuration, mode, parameters and buffers. */
  fingerprint(): string {
    const cached = this.#fingerprint;
    if (cached && cached.version === this.#version && cached.training === this.#training) return cached.value;
    const label = `${this.type}|${JSON.stringify(this.config)}|${this.#training ? 'train' : 'eval'}`;
    const value = fingerprintOf(label, [this.parameters, this.buffers]);
    this.#fingerprint = { version: this.#version, training: this.#training, value };
    return value;
  }

  /** get_parameters: {name: {value, shape, requires_grad}} with values nested as the shapes say. */
  describeParameters(): Record<string, ParameterDescription> {
    const result: Record<string, ParameterDescription> = {};
    for (const view of this.parameterTable.entries) {
      result[view.name] = {
        value: nestTensor(this.parameters, view),
        shape: [...view.shape],
        requires_grad: true,
      };
    }
    return result;
  }

  /** Parameters and buffers by PyTorch name, values nested as their shapes say (a state_dict). */
  stateDict(): Record<string, Nested> {
    const result: Record<string, Nested> = {};
    for (const view of this.parameterTable.entries) result[view.name] = nestTensor(this.parameters, view);
    for (const view of this.bufferTable.entries) result[view.name] = nestTensor(this.buffers, view);
    return result;
  }

  /**
   * Loads a state_dict (for instance exported from PyTorch): every parameter and buffer must be present with
   * its exact shape and nothing else may be; on any problem nothing is changed.
   */
  loadState(state: Readonly<Record<string, unknown>>): void {
    if (state === null || typeof state !== 'object')
      throw new ComputeInputError('state', 'state must be an object');
    const parameters = new Float64Array(this.parameters.length);
    const buffers = new Float64Array(this.buffers.length);
    const known = new Set<string>();
    const load = (table: TensorTable, target: Float64Array): void => {
      for (const view of table.entries) {
        known.add(view.name);
        if (!(view.name in state)) throw new ComputeInputError(view.name, `state is missing ${view.name}`);
        const problem = unnestTensor(state[view.name], view, target);
        if (problem) throw new ComputeInputError(view.name, problem);
      }
    };
    load(this.parameterTable, parameters);
    load(this.bufferTable, buffers);
    for (const name of Object.keys(state)) {
      if (!known.has(name)) throw new ComputeInputError(name, `${this.type} has no tensor named ${name}`);
    }
    this.parameters.set(parameters);
    this.buffers.set(buffers);
    this.markChanged();
  }

  /** Replaces every parameter value (e.g. after a step taken elsewhere) and bumps the version. */
  setParameters(values: Float64Array): void {
    if (!(values instanceof Float64Array) || values.length !== this.parameters.length) {
      throw new ComputeInputError(
        'parameters',
        `parameters must be a Float64Array of ${this.parameters.length}`,
      );
    }
    this.parameters.set(values);
    this.markChanged();
  }

  /** The model as values, without copying them (see ModelSnapshot); `modelFromSnapshot` restores it. */
  snapshot(): ModelSnapshot {
    return {
      format: 'dredge-model',
      formatVersion: 2,
      type: this.type,
      config: { ...this.config },
      version: this.#version,
      training: this.#training,
      parameters: this.parameters,
      buffers: this.buffers,
    };
  }

  /** The JSON text form (format version 1), kept for callers outside DREDGE; stores and threads use `snapshot`. */
  toJSON(): SerializedModel {
    return {
      format: 'dredge-model',
      formatVersion: 1,
      type: this.type,
      config: { ...this.config },
      version: this.#version,
      training: this.#training,
      parameters: encodeFloat64(this.parameters),
      buffers: encodeFloat64(this.buffers),
    };
  }

  /** @internal Used by `modelFromSnapshot` and `modelFromJSON`, whose values the model has adopted. */
  restoreCounters(version: number, training: boolean): void {
    this.#version = version;
    this.#training = training;
    this.#fingerprint = undefined;
  }

  /** Writes predictions for all rows of a checked input. */
  protected abstract forwardRows(input: ModelInput, out: Float64Array): void;

  /** Σ r² over rows [start, end) and grad += scale·Σ r·∂prediction/∂θ, for a checked input. */
  protected abstract accumulateRows(
    input: ModelInput,
    target: Float64Array,
    grad: Float64Array,
    start: number,
    end: number,
    scale: number,
  ): number;

  protected checkInput(input: ModelInput): void {
    if (input === null || typeof input !== 'object' || !Array.isArray(input.columns)) {
      throw new ComputeInputError('inputs', 'inputs must be a ModelInput {size, columns}');
    }
    const { size, columns } = input;
    if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH_SIZE) {
      throw new ComputeInputError(
        'inputs',
        `inputs must hold from 1 to ${MAX_BATCH_SIZE} rows (got ${size})`,
      );
    }
    if (columns.length !== this.inputNames.length) {
      throw new ComputeInputError(
        'inputs',
        `${this.type} takes ${this.inputNames.length} input columns (${this.inputNames.join(', ')}), got ${columns.length}`,
      );
    }
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c];
      if (!(column instanceof Float64Array) || column.length < size) {
        const name = this.inputNames[c] ?? 'inputs';
        throw new ComputeInputError(name, `${name} must be a Float64Array of at least ${size} values`);
      }
    }
  }

  protected checkTarget(input: ModelInput, target: Float64Array): void {
    const length = input.size * this.outputWidth;
    if (!(target instanceof Float64Array) || target.length < length) {
      throw new ComputeInputError('target', `target must be a Float64Array of at least ${length} values`);
    }
  }

  private checkGradient(grad: Float64Array): void {
    if (!(grad instanceof Float64Array) || grad.length < this.parameterCount) {
      throw new ComputeInputError(
        'grad',
        `grad must be a Float64Array of at least ${this.parameterCount} values`,
      );
    }
  }
}

function adopted(values: Float64Array, size: number, name: 'parameters' | 'buffers'): Float64Array {
  if (!(values instanceof Float64Array) || values.length !== size) {
    throw new ComputeInputError(name, `${name} must be a Float64Array of ${size} values`);
  }
  return values;
}
