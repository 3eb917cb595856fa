import { MessageChannel } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import {
  BUNDLE_CHECKSUM_BYTES,
  BundleRefusal,
  fitResult,
  ModelBase,
  toHex,
  modelFromSnapshot,
  type AnyModel,
  type Compression,
  type CompressionRequest,
  type BundleExtras,
  type FitProgress,
  type FitResult,
  type ModelInput,
  type TrainingData,
} from '../../core/index.js';
import { DredgeError } from '../errors.js';
import type {
  BundleTask,
  CreateTask,
  ForwardTask,
  MadeModel,
  ReadBundle,
  RefusedBundle,
  ReportTask,
  TrainingOutcome,
  TrainingTask,
  UnbundleTask,
} from './compute-worker.js';
import type { CompressedModel, CompressTask } from './compress-task.js';
import type { ModelRecipe, ModelSource } from './model-source.js';
import { useSharedTensors } from './shared-tensors.js';

export interface PoolTrainingOptions {
  readonly epochs: number;
  readonly learningRate: number;
  readonly gradClipNorm?: number;
  readonly progressEvery: number;
  readonly onProgress?: (progress: FitProgress) => void;
  readonly signal?: AbortSignal;
}

/** A model the pool made or trained, with the warnings its creation gave (a device fallback), for the caller to log. */
export interface PoolModel {
  readonly model: AnyModel;
  readonly warnings: readonly string[];
}

/** How long a client refused by a full pool is told to wait (Retry-After): about one short operation. */
export const POOL_BUSY_RETRY_AFTER_SECONDS = 1;

function workerFile(): string {
  // From the build the worker is compute-worker.js; from sources (tests) a loader that registers tsx first.
  const fromSource = import.meta.url.endsWith('.ts');
  return new URL(fromSource ? './source-compute-loader.mjs' : './compute-worker.js', import.meta.url).href;
}

type Task = TrainingTask | ForwardTask | CreateTask | ReportTask | BundleTask | UnbundleTask | CompressTask;
type Pool = Piscina<
  Task,
  TrainingOutcome | Float64Array | MadeModel | Uint8Array | ReadBundle | RefusedBundle | CompressedModel
>;

/** piscina's own refusals of a full queue (a safety net behind the pool's count). */
const PISCINA_QUEUE_FULL = /^(Task queue is at limit|No task queue available)/;

/** The arrays' buffers that can be transferred: each once, and never shared memory (which is shared, not moved). */
function transferable(arrays: readonly Float64Array[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const array of arrays) if (array.buffer instanceof ArrayBuffer) buffers.add(array.buffer);
  return [...buffers];
}

/**
 * Trainings, benchmarks, large inferences, large model creations and large get_parameters run here, on worker
 * threads (piscina), so the event loop keeps answering health checks and cache hits. Models travel as snapshots:
 * their large arrays are shared memory (this process allocates model tensors there, see `useSharedTensors`), so
 * handing one to a thread copies nothing on the event loop, and models made or trained there come back the same
 * way. At most `threads` operations run at once and `maxWaiting` more wait; beyond that the pool refuses at once
 * with 503 `unavailable` and a Retry-After, before anything is copied or queued. Aborting a task ends its thread.
 * piscina itself is loaded on first use: a process that never computes here never loads it.
 */
export class ComputePool {
  private pool: Pool | undefined;
  private starting: Promise<Pool> | undefined;
  #inFlight = 0;

  constructor(
    readonly threads: number,
    readonly maxWaiting: number = 8 * threads,
  ) {
    useSharedTensors();
  }

  private started(): Promise<Pool> {
    this.starting ??= import('piscina').then(({ Piscina }) => {
      this.pool = new Piscina({
        filename: workerFile(),
        minThreads: 0,
        maxThreads: this.threads,
        // The count in `run` decides; this only keeps piscina's queue bounded should the two ever disagree.
        maxQueue: this.maxWaiting + this.threads,
        idleTimeout: 30_000,
      });
      return this.pool;
    });
    return this.starting;
  }

  /** Operations running or waiting in the pool now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Runs one task, or refuses it at once when `threads` are busy and `maxWaiting` wait already. `build` makes the
   * task only once it is admitted, so a refused one costs nothing.
   */
  private async run<R>(
    name: string,
    build: () => { task: Task; transferList?: readonly unknown[] },
    signal?: AbortSignal,
  ): Promise<R> {
    if (this.#inFlight >= this.threads + this.maxWaiting) throw this.busy();
    this.#inFlight++;
    try {
      const { task, transferList } = build();
      const pool = await this.started();
      return (await pool.run(task, {
        name,
        ...(transferList ? { transferList: transferList as never } : {}),
        ...(signal ? { signal } : {}),
      })) as R;
    } catch (error) {
      if (error instanceof Error && PISCINA_QUEUE_FULL.test(error.message)) throw this.busy();
      throw error;
    } finally {
      this.#inFlight--;
    }
  }

  private busy(): DredgeError {
    return new DredgeError(
      'unavailable',
      `The compute pool is busy (${this.threads} operations running, NUM_WORKERS; ${this.maxWaiting} waiting, ` +
        'COMPUTE_MAX_WAITING): try again shortly.',
      { retryAfterSeconds: POOL_BUSY_RETRY_AFTER_SECONDS },
    );
  }

  /** A new model made on a pool thread (drawing millions of initial values would hold the event loop). */
  async create(recipe: ModelRecipe): Promise<PoolModel> {
    const made = await this.run<MadeModel>('create', () => ({ task: { recipe } }));
    return { model: modelFromSnapshot(made.snapshot, { adopt: true }), warnings: made.warnings };
  }

  /**
   * Trains, in training mode, a copy of `source` (a model, read where it lies and copied on the pool thread) or a
   * fresh model of a recipe, on `data`; answers the trained model (with its new version) and the losses. The
   * data's arrays are transferred: the caller must not use them afterwards.
   */
  async train(
    source: AnyModel | ModelRecipe,
    data: TrainingData,
    options: PoolTrainingOptions,
  ): Promise<PoolModel & { result: FitResult }> {
    const { port1, port2 } = new MessageChannel();
    // The worker ends with {done: true} on the same port, after every progress message it sent.
    const drained = new Promise<void>((resolve) => {
      port1.on('message', (message: FitProgress | { done: true }) => {
        if ('done' in message) resolve();
        else options.onProgress?.(message);
      });
    });
    try {
      const outcome = await this.run<TrainingOutcome>(
        'default',
        () => {
          const modelSource: ModelSource =
            source instanceof ModelBase ? { snapshot: source.snapshot() } : { recipe: source };
          const columns = data.input.columns;
          const task: TrainingTask = {
            source: modelSource,
            columns,
            target: data.target,
            epochs: options.epochs,
            learningRate: options.learningRate,
            ...(options.gradClipNorm === undefined ? {} : { gradClipNorm: options.gradClipNorm }),
            progressEvery: options.progressEvery,
            maxThreads: this.threads,
            progress: port2,
          };
          return { task, transferList: [port2, ...transferable([...columns, data.target])] };
        },
        options.signal,
      );
      await drained;
      return {
        model: modelFromSnapshot(outcome.snapshot, { adopt: true }),
        warnings: outcome.warnings,
        result: fitResult(outcome.losses),
      };
    } finally {
      port1.close();
    }
  }

  /**
   * The model's output for a large batch, computed on a pool thread so the event loop keeps answering. The
   * batch's columns are transferred (the caller must not use them afterwards).
   */
  forward(model: AnyModel, input: ModelInput, signal?: AbortSignal): Promise<Float64Array> {
    return this.run<Float64Array>(
      'forward',
      () => ({
        task: { snapshot: model.snapshot(), columns: input.columns },
        transferList: transferable(input.columns),
      }),
      signal,
    );
  }

  /**
   * As `forward`, with the output written on the pool thread as inference answers it (shaped as the original's
   * lists, JSON, UTF-8): a large answer never becomes a string on the event loop.
   */
  forwardJson(model: AnyModel, input: ModelInput, signal?: AbortSignal): Promise<Uint8Array> {
    return this.run<Uint8Array>(
      'forward',
      () => ({
        task: { snapshot: model.snapshot(), columns: input.columns, json: true },
        transferList: transferable(input.columns),
      }),
      signal,
    );
  }

  /**
   * get_parameters' answer as UTF-8 JSON, written on a pool thread: `answer`'s members, then `parameters` (see
   * reportParameters).
   */
  report(
    model: AnyModel,
    answer: Readonly<Record<string, string | number | boolean>>,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    return this.run<Uint8Array>('report', () => ({ task: { snapshot: model.snapshot(), answer } }), signal);
  }

  /** A model's bundle (export_model), written on a pool thread: copying and hashing megabytes holds no loop. */
  bundle(model: AnyModel, extras: BundleExtras, signal?: AbortSignal): Promise<Uint8Array> {
    return this.run<Uint8Array>(
      'bundle',
      () => ({ task: { snapshot: model.snapshot(), extras, base64: false } }),
      signal,
    );
  }

  /**
   * A model's bundle as base64 text (ASCII bytes, never a string on the event loop) with its SHA-256 (hex) and
   * size, written on a pool thread for a JSON answer.
   */
  async bundleBase64(
    model: AnyModel,
    extras: BundleExtras,
    signal?: AbortSignal,
  ): Promise<{ base64: Uint8Array; sha256: string; byteLength: number }> {
    const packed = await this.run<Uint8Array>(
      'bundle',
      () => ({ task: { snapshot: model.snapshot(), extras, base64: true } }),
      signal,
    );
    const base64 = packed.subarray(BUNDLE_CHECKSUM_BYTES);
    const padding = base64.at(-1) === 61 ? (base64.at(-2) === 61 ? 2 : 1) : 0;
    return {
      base64,
      sha256: toHex(packed.subarray(0, BUNDLE_CHECKSUM_BYTES)),
      byteLength: (base64.length / 4) * 3 - padding,
    };
  }

  /**
   * A bundle read back on a pool thread (import_model of a large one): the model, in shared memory, and what came
   * with it; a bad bundle is refused with the core's BundleRefusal, as on this thread. The bytes are moved there
   * when they own their memory (the caller must not use them afterwards), copied otherwise.
   */
  async unbundle(
    bytes: Uint8Array,
    signal?: AbortSignal,
  ): Promise<Omit<ReadBundle, 'snapshot'> & { model: AnyModel }> {
    const owned =
      bytes.buffer instanceof ArrayBuffer &&
      bytes.byteOffset === 0 &&
      bytes.byteLength === bytes.buffer.byteLength;
    const read = await this.run<ReadBundle | RefusedBundle>(
      'unbundle',
      () => ({ task: { bytes }, ...(owned ? { transferList: [bytes.buffer] } : {}) }),
      signal,
    );
    if ('refusal' in read) throw new BundleRefusal(read.refusal.reason, read.refusal.detail);
    const { snapshot, ...rest } = read;
    return { ...rest, model: modelFromSnapshot(snapshot, { adopt: true }) };
  }

  /**
   * quantize_model's and prune_model's work (compressModel) on a pool thread: a copy of the model compressed and
   * measured on `data` (the source's data set, whose arrays are transferred: the caller must not use them
   * afterwards); answers the new model, in shared memory, with its measurements.
   */
  async compress(
    model: AnyModel,
    request: CompressionRequest,
    data: TrainingData,
    signal?: AbortSignal,
  ): Promise<Omit<Compression, 'model'> & { model: AnyModel }> {
    const { snapshot, ...facts } = await this.run<CompressedModel>(
      'compress',
      () => ({
        task: { snapshot: model.snapshot(), request, columns: data.input.columns, target: data.target },
        transferList: transferable([...data.input.columns, data.target]),
      }),
      signal,
    );
    return { ...facts, model: modelFromSnapshot(snapshot, { adopt: true }) };
  }

  /** Tasks the pool's threads have finished, for tests and diagnostics. */
  get completed(): number {
    return this.pool?.completed ?? 0;
  }

  async close(): Promise<void> {
    if (this.starting) await (await this.starting).destroy();
  }
}
