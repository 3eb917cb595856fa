import { MessageChannel } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import {
  fitResult,
  modelFromJSON,
  type AnyModel,
  type FitProgress,
  type FitResult,
  type ModelInput,
  type TrainingData,
} from '../../core/index.js';
import type { ForwardTask, TrainingOutcome, TrainingTask } from './compute-worker.js';

export interface PoolTrainingOptions {
  readonly epochs: number;
  readonly learningRate: number;
  readonly gradClipNorm?: number;
  readonly progressEvery: number;
  readonly onProgress?: (progress: FitProgress) => void;
  readonly signal?: AbortSignal;
}

function workerFile(): string {
  // From the build the worker is compute-worker.js; from sources (tests) a loader that registers tsx first.
  const fromSource = import.meta.url.endsWith('.ts');
  return new URL(fromSource ? './source-compute-loader.mjs' : './compute-worker.js', import.meta.url).href;
}

type Pool = Piscina<TrainingTask | ForwardTask, TrainingOutcome | Float64Array>;

/**
 * Trainings, benchmarks and large inferences run here, on worker threads (piscina), so the event loop keeps
 * answering health checks and cache hits while a model trains. At most `threads` trainings run at once; more
 * wait in the pool's queue. Aborting a training ends its thread at once. The pool (and piscina itself) is
 * created on first use: a process that never trains never loads it.
 */
export class ComputePool {
  private pool: Pool | undefined;
  private starting: Promise<Pool> | undefined;

  constructor(readonly threads: number) {}

  private started(): Promise<Pool> {
    this.starting ??= import('piscina').then(({ Piscina }) => {
      this.pool = new Piscina({
        filename: workerFile(),
        minThreads: 0,
        maxThreads: this.threads,
        idleTimeout: 30_000,
      });
      return this.pool;
    });
    return this.starting;
  }

  /** Trains a copy of `model` on `data`; answers the trained model (with its new version) and the losses. */
  async train(
    model: AnyModel,
    data: TrainingData,
    options: PoolTrainingOptions,
  ): Promise<{ model: AnyModel; result: FitResult }> {
    const { port1, port2 } = new MessageChannel();
    // The worker ends with {done: true} on the same port, after every progress message it sent.
    const drained = new Promise<void>((resolve) => {
      port1.on('message', (message: FitProgress | { done: true }) => {
        if ('done' in message) resolve();
        else options.onProgress?.(message);
      });
    });
    // Copies, so that transferring them leaves the caller's data set intact.
    const columns = data.input.columns.map((column) => column.slice());
    const target = data.target.slice();
    const task: TrainingTask = {
      model: model.toJSON(),
      columns,
      target,
      epochs: options.epochs,
      learningRate: options.learningRate,
      ...(options.gradClipNorm === undefined ? {} : { gradClipNorm: options.gradClipNorm }),
      progressEvery: options.progressEvery,
      maxThreads: this.threads,
      progress: port2,
    };
    try {
      const pool = await this.started();
      const outcome = (await pool.run(task, {
        transferList: [port2, ...columns.map((column) => column.buffer), target.buffer] as never,
        ...(options.signal ? { signal: options.signal } : {}),
      })) as TrainingOutcome;
      await drained;
      return { model: modelFromJSON(outcome.model), result: fitResult(outcome.losses) };
    } finally {
      port1.close();
    }
  }

  /**
   * The model's output for a large batch, computed on a pool thread so the event loop keeps answering. The
   * batch's columns are transferred (the caller must not use them afterwards).
   */
  async forward(model: AnyModel, input: ModelInput, signal?: AbortSignal): Promise<Float64Array> {
    const task: ForwardTask = { model: model.toJSON(), columns: input.columns };
    const pool = await this.started();
    return (await pool.run(task, {
      name: 'forward',
      transferList: input.columns.map((column) => column.buffer) as never,
      ...(signal ? { signal } : {}),
    })) as Float64Array;
  }

  /** Tasks the pool's threads have finished (trainings and inferences), for tests and diagnostics. */
  get completed(): number {
    return this.pool?.completed ?? 0;
  }

  async close(): Promise<void> {
    if (this.starting) await (await this.starting).destroy();
  }
}
