import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  ComputeInputError,
  epochSchedule,
  fit,
  runEpochs,
  shardRanges,
  sliceInput,
  sliceTarget,
  sumGradients,
  Trainer,
  type AsyncFitOptions,
  type FitResult,
  type ModelBase,
  type TrainingData,
} from '../../core/index.js';
import type { GradientWorkerData } from './gradient-worker.js';
import { CONTROL, STOP, WORKER_FAILED } from './protocol.js';

/**
 * Training with a batch split across worker threads: every epoch each thread computes the gradient of its rows
 * (the main thread takes the first shard), the main thread adds the shards in a fixed order and takes the Adam
 * step. Same answers as `fit` up to the order of summation.
 *
 * Measured on the project's 2-core machine while other work used about one core (ms per epoch, 1 → 2 threads):
 * ensemble of 6 6D waves on the 8⁵ grid 21–22 → 16.5–17 (1.3×), ensemble of 8 4D waves on 20³ points
 * 7.0–7.4 → 4.7–5.1 (1.4×); no gain for a 6D wave on 8⁵ points (3.7 ms) or an ensemble of 16 on the chirp
 * (0.8 ms), where the per-epoch hand-off eats the gain. Hence the threshold below.
 */

/** Rows × parameters below which one thread is as fast (see the measurements above). */
export const SPLIT_MIN_WORK = 900_000;
/** No shard smaller than this. */
export const MIN_SHARD_ROWS = 2_048;

/** The number of threads worth using for this model and batch, at most `cores`. */
export function planThreads(model: ModelBase, rows: number, cores: number = availableParallelism()): number {
  if (!model.canSplitBatch || cores < 2) return 1;
  if (rows * model.parameterCount < SPLIT_MIN_WORK) return 1;
  return Math.max(1, Math.min(cores, Math.floor(rows / MIN_SHARD_ROWS)));
}

export interface ParallelFitOptions extends AsyncFitOptions {
  /** Threads including the calling one; default `planThreads`. 1 trains in the calling thread. */
  readonly threads?: number;
}

/** How long the main thread waits for a shard before declaring its worker lost. */
const SHARD_TIMEOUT_MS = 60_000;

function workerScript(): URL {
  // From the build the worker is gradient-worker.js; from sources (tests) a loader that registers tsx first.
  const fromSource = import.meta.url.endsWith('.ts');
  return new URL(fromSource ? './source-worker-loader.mjs' : './gradient-worker.js', import.meta.url);
}

function toShared(values: Float64Array): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(values.byteLength);
  new Float64Array(buffer).set(values);
  return buffer;
}

interface Shard {
  readonly worker: Worker;
  readonly gradient: Float64Array;
  readonly result: Float64Array;
  readonly control: Int32Array;
  error?: string;
}

async function startShard(
  model: ModelBase,
  data: TrainingData,
  range: { start: number; end: number },
  normalizer: number,
  parameters: SharedArrayBuffer,
): Promise<Shard> {
  const input = sliceInput(data.input, range);
  const workerData: GradientWorkerData = {
    // Shared memory where the model's values are (a compute thread's are): the worker copies them as it starts.
    model: model.snapshot(),
    columns: input.columns.map(toShared),
    target: toShared(sliceTarget(data.target, range, model.outputWidth)),
    normalizer,
    parameters,
    gradient: new SharedArrayBuffer(8 * model.parameterCount),
    result: new SharedArrayBuffer(8),
    control: new SharedArrayBuffer(8),
  };
  const worker = new Worker(workerScript(), { workerData });
  const shard: Shard = {
    worker,
    gradient: new Float64Array(workerData.gradient),
    result: new Float64Array(workerData.result),
    control: new Int32Array(workerData.control),
  };
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`gradient worker exited with code ${code} before it was ready`)),
    );
    worker.on('message', (message: { ready?: boolean; error?: string }) => {
      if (message.error !== undefined) {
        shard.error = message.error;
        reject(new Error(`gradient worker failed: ${message.error}`));
      }
      if (message.ready) resolve();
    });
  });
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  worker.on('error', (error) => {
    shard.error = error.message;
  });
  return shard;
}

async function stopShards(shards: readonly Shard[]): Promise<void> {
  await Promise.all(
    shards.map(async (shard) => {
      Atomics.store(shard.control, CONTROL.command, STOP);
      Atomics.notify(shard.control, CONTROL.command);
      const exited = new Promise((resolve) => shard.worker.once('exit', resolve));
      const timer = setTimeout(() => void shard.worker.terminate(), 1_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

/** Blocks until the shard has finished `epoch`; throws if its worker failed or went silent. */
function awaitShard(shard: Shard, epoch: number): void {
  const deadline = Date.now() + SHARD_TIMEOUT_MS;
  for (;;) {
    const done = Atomics.load(shard.control, CONTROL.done);
    if (done === epoch) return;
    if (done === WORKER_FAILED) throw new Error('gradient worker failed');
    if (Date.now() > deadline) throw new Error('gradient worker did not answer within 60 s');
    Atomics.wait(shard.control, CONTROL.done, done, 100);
  }
}

/**
 * `fit` with the batch split across `threads` threads (default: `planThreads`). Progress, abort, yielding and
 * the result are as in `fit`; models that cannot be split (BatchNorm in training) train in the calling thread.
 */
export async function fitParallel(
  model: ModelBase,
  data: TrainingData,
  options: ParallelFitOptions,
): Promise<FitResult> {
  const threads = options.threads ?? planThreads(model, data.input.size);
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new ComputeInputError('threads', `threads must be an integer from 1 to 256 (got ${threads})`);
  }
  const ranges = shardRanges(data.input.size, model.canSplitBatch ? threads : 1);
  if (ranges.length === 1) return fit(model, data, options);
  const schedule = epochSchedule(options);
  const trainer = new Trainer(model, data, options);
  const normalizer = data.input.size * model.outputWidth;
  const parameters = new SharedArrayBuffer(8 * model.parameterCount);
  const published = new Float64Array(parameters);
  const [own, ...others] = ranges as [{ start: number; end: number }, ...{ start: number; end: number }[]];
  const ownInput = sliceInput(data.input, own);
  const ownTarget = sliceTarget(data.target, own, model.outputWidth);
  const ownRange = { start: 0, end: own.end - own.start, normalizer };
  const ownGradient = new Float64Array(model.parameterCount);
  const shards: Shard[] = [];
  let result: FitResult;
  try {
    for (const range of others) shards.push(await startShard(model, data, range, normalizer, parameters));
    // Summed in shard order, the calling thread's first, so every run adds the same numbers the same way.
    const gradients = [ownGradient, ...shards.map((shard) => shard.gradient)];
    result = await runEpochs(schedule, options, (epoch) => {
      published.set(model.parameters);
      for (const shard of shards) {
        Atomics.store(shard.control, CONTROL.command, epoch);
        Atomics.notify(shard.control, CONTROL.command);
      }
      ownGradient.fill(0);
      let sse = model.accumulateGradient(ownInput, ownTarget, ownGradient, ownRange);
      for (const shard of shards) {
        awaitShard(shard, epoch);
        sse += shard.result[0] as number;
      }
      trainer.applyGradient(sumGradients(trainer.gradient, gradients));
      return sse / normalizer;
    });
  } catch (error) {
    await stopShards(shards);
    const failed = shards.find((s) => s.error !== undefined);
    throw failed ? new Error(`gradient worker failed: ${failed.error ?? ''}`, { cause: error }) : error;
  }
  await stopShards(shards);
  return result;
}
