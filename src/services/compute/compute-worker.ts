/**
 * Work for the compute pool's threads. `train` (the default export): a whole training — the model arrives as JSON,
 * the data as transferred typed arrays; progress goes back over the given port; the trained model returns as JSON;
 * large batches are split further across gradient workers (fitParallel), as on the main thread. `forward`: one
 * large inference, its output moved back without a copy.
 */
import type { MessagePort } from 'node:worker_threads';
import { move } from 'piscina';
import { inputFromTrustedColumns, modelFromJSON, type SerializedModel } from '../../core/index.js';
import { fitParallel, planThreads } from './parallel-fit.js';
import { lowerThreadPriority } from './thread-priority.js';

// Compute threads step back for the event loop: health checks and cache hits answer during a training.
lowerThreadPriority();

export interface TrainingTask {
  readonly model: SerializedModel;
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

export interface TrainingOutcome {
  readonly model: SerializedModel;
  readonly losses: Float64Array;
}

export default async function train(task: TrainingTask): Promise<TrainingOutcome> {
  const model = modelFromJSON(task.model);
  const input = inputFromTrustedColumns([...task.columns]);
  const threads = Math.min(planThreads(model, input.size), task.maxThreads);
  try {
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
    return { model: model.toJSON(), losses: result.losses };
  } finally {
    // The last message on the port: the pool waits for it, so no progress message arrives after the result.
    task.progress.postMessage({ done: true });
    task.progress.close();
  }
}

export interface ForwardTask {
  readonly model: SerializedModel;
  readonly columns: readonly Float64Array[];
}

export function forward(task: ForwardTask): Float64Array {
  const model = modelFromJSON(task.model);
  const output = model.forward(inputFromTrustedColumns([...task.columns]));
  return move(output) as Float64Array;
}
