/**
 * Work for the compute pool's threads. A model arrives as a snapshot whose large arrays are shared memory (read
 * where they lie, copied here before any change), or as a recipe for a fresh one; models made here are allocated
 * in shared memory too, so they go back without a copy. `train` (the default export): a whole training, the data
 * as transferred typed arrays, progress over the given port, large batches split further across gradient workers
 * (fitParallel) as on the main thread. `forward`: one large inference, its output moved back. `create`: a new
 * model (drawing millions of initial values takes tens of milliseconds). `report`: get_parameters' JSON, as bytes.
 * `bundle` and `unbundle`: a model bundle written or read (export_model, import_model).
 */
import type { MessagePort } from 'node:worker_threads';
import { move } from 'piscina';
import {
  BUNDLE_CHECKSUM_BYTES,
  BundleRefusal,
  createModel,
  decodeBundle,
  encodeBundleWithChecksum,
  inputFromTrustedColumns,
  modelFromSnapshot,
  reportParameters,
  shapeOutput,
  type AnyModel,
  type BundleExtras,
  type BundleRefusalReason,
  type ModelSnapshot,
} from '../../core/index.js';
import type { ModelRecipe, ModelSource } from './model-source.js';
import { fitParallel, planThreads } from './parallel-fit.js';
import { useSharedTensors } from './shared-tensors.js';
import { lowerThreadPriority } from './thread-priority.js';

export { compress } from './compress-task.js';

// Compute threads step back for the event loop: health checks and cache hits answer during a training.
lowerThreadPriority();
useSharedTensors();

/** A model made in this thread, with the warnings its creation gave (a device fallback), for the caller to log. */
export interface MadeModel {
  readonly snapshot: ModelSnapshot;
  readonly warnings: readonly string[];
}

function made(recipe: ModelRecipe): { model: AnyModel; warnings: string[] } {
  const warnings: string[] = [];
  const model = createModel(recipe.type, { ...recipe.options, onWarning: (w) => warnings.push(w) });
  return { model, warnings };
}

function modelOf(source: ModelSource): { model: AnyModel; warnings: string[] } {
  // A copy: the snapshot is the caller's model, which others may be reading meanwhile.
  return 'snapshot' in source
    ? { model: modelFromSnapshot(source.snapshot), warnings: [] }
    : made(source.recipe);
}

export interface TrainingTask {
  readonly source: ModelSource;
  readonly columns: readonly Float64Array[];
  readonly target: Float64Array;
  readonly epochs: number;
  readonly learningRate: number;
  readonly gradClipNorm?: number;
  readonly progressEvery: number;
  /** Most threads this training may use for gradient shards (NUM_WORKERS). */
  readonly maxThreads: number;
  readonly progress: MessagePort;
}

export interface TrainingOutcome extends MadeModel {
  readonly losses: Float64Array;
}

/** Trains (in PyTorch's training mode) a copy of the model, or a fresh one; answers it trained. */
export default async function train(task: TrainingTask): Promise<TrainingOutcome> {
  try {
    const { model, warnings } = modelOf(task.source);
    model.train();
    const input = inputFromTrustedColumns([...task.columns]);
    const threads = Math.min(planThreads(model, input.size), task.maxThreads);
    const result = await fitParallel(
      model,
      { input, target: task.target },
      {
        threads,
        epochs: task.epochs,
        learningRate: task.learningRate,
        ...(task.gradClipNorm === undefined ? {} : { gradClipNorm: task.gradClipNorm }),
        progressEvery: task.progressEvery,
        onProgress: (progress) => task.progress.postMessage(progress),
      },
    );
    return { snapshot: model.snapshot(), warnings, losses: result.losses };
  } finally {
    // The last message on the port: the pool waits for it, so no progress message arrives after the result.
    task.progress.postMessage({ done: true });
    task.progress.close();
  }
}

export interface ForwardTask {
  readonly snapshot: ModelSnapshot;
  readonly columns: readonly Float64Array[];
  /** Answer the output as inference writes it (shaped, JSON, UTF-8) rather than as numbers. */
  readonly json?: boolean;
}

/** The output's numbers, or with `json` the output as inference's answer shows it, moved back without a copy. */
export function forward(task: ForwardTask): Float64Array | Uint8Array {
  // In evaluation mode a forward pass writes nothing into the model, so it may run on the caller's values where
  // they lie; in training mode BatchNorm updates its running statistics, so it runs on a copy.
  const model = modelFromSnapshot(task.snapshot, { adopt: !task.snapshot.training });
  const input = inputFromTrustedColumns([...task.columns]);
  const output = model.forward(input);
  if (!task.json) return move(output) as Float64Array;
  const json = JSON.stringify(shapeOutput(output, model.outputShape(input.size)));
  return move(new TextEncoder().encode(json)) as Uint8Array;
}

export interface CreateTask {
  readonly recipe: ModelRecipe;
}

export function create(task: CreateTask): MadeModel {
  const { model, warnings } = made(task.recipe);
  return { snapshot: model.snapshot(), warnings };
}

export interface ReportTask {
  readonly snapshot: ModelSnapshot;
  /** The answer's other members, written before `parameters`. */
  readonly answer: Readonly<Record<string, string | number | boolean>>;
}

/** get_parameters' whole answer (`parameters` last) as UTF-8 JSON, moved back without a copy. */
export function report(task: ReportTask): Uint8Array {
  const model = modelFromSnapshot(task.snapshot, { adopt: true }); // read only
  const json = JSON.stringify({ ...task.answer, parameters: reportParameters(model) });
  return move(new TextEncoder().encode(json)) as Uint8Array;
}

export interface BundleTask {
  readonly snapshot: ModelSnapshot;
  readonly extras: BundleExtras;
  /** Answer the bundle as base64 (for a JSON answer) rather than as bytes. */
  readonly base64: boolean;
}

/**
 * export_model's bundle (see core/bundle), made here: copying and hashing megabytes would hold the event loop.
 * Moved back as one array (a task moves one): the bundle's bytes; with `base64`, its SHA-256 (32 bytes) and then
 * its base64 text as ASCII bytes, so the text never becomes a string on the event loop.
 */
export async function bundle(task: BundleTask): Promise<Uint8Array> {
  const model = modelFromSnapshot(task.snapshot, { adopt: true }); // read only
  const { bytes } = await encodeBundleWithChecksum(model, task.extras);
  if (!task.base64) return move(bytes) as Uint8Array;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const packed = new Uint8Array(BUNDLE_CHECKSUM_BYTES + text.length);
  packed.set(bytes.subarray(bytes.length - BUNDLE_CHECKSUM_BYTES));
  Buffer.from(packed.buffer, BUNDLE_CHECKSUM_BYTES).write(text, 'latin1');
  return move(packed) as Uint8Array;
}

export interface UnbundleTask {
  readonly bytes: Uint8Array;
}

/** A bundle read back (import_model): the model as a snapshot in shared memory, and what came with it. */
export interface ReadBundle {
  readonly snapshot: ModelSnapshot;
  readonly requestConfig: Readonly<Record<string, unknown>>;
  readonly trainingSummary: unknown;
  readonly sha256: string;
}

/** The refusal of a bundle, as data: an error's class does not survive the way back from a thread. */
export interface RefusedBundle {
  readonly refusal: { readonly reason: BundleRefusalReason; readonly detail: string };
}

/** import_model's checks and copies of a large bundle, made here. */
export async function unbundle(task: UnbundleTask): Promise<ReadBundle | RefusedBundle> {
  try {
    const { snapshot, requestConfig, trainingSummary, sha256 } = await decodeBundle(task.bytes);
    return { snapshot, requestConfig, trainingSummary, sha256 };
  } catch (error) {
    if (!(error instanceof BundleRefusal)) throw error;
    return { refusal: { reason: error.reason, detail: error.detail } };
  }
}
